"""Page chrome in the text of a page saved from a portal or a legal library: which lines are not the document.

A page saved as text (or extracted from HTML) carries the site around the document: skip links
("Nhảy đến nội dung", "Skip to main content"), the banner and site name, menus, breadcrumbs
("Trang chủ > Tin tức > …"), font-size and contrast widgets, share / print / e-mail buttons,
rating widgets, view counters, "related news" lists and the footer. None of it is stored apart
from the text — the stored text stays what was read, so offsets stay exact — but these lines are
left out of every section, and never become a title.

Three kinds of evidence, from safest to boldest:
- a line that is chrome whatever surrounds it (`is_chrome`): only whole-line shapes that no
  administrative document writes as a line of its own;
- the tail (`tail_start`): from a "related news" / copyright / "document properties" line to the
  end, everything is the site's (a related-news list holds headlines that look like titles);
- the head: short menu items before the document's first line (`is_menu_item`); the sectioner
  decides where the document starts (its header, or its title) and drops what stands before.
"""

from __future__ import annotations

import re

from store.vietnamese import fold
from store.wordlists import DATA, alternation

# Whole lines, matched on the folded text (no diacritics, lower case): see `is_chrome`. The lines are
# data, store/data/*_lines.txt: another portal's widgets are one more line there.
_CHROME = re.compile(rf"^(?:{alternation(DATA / 'chrome_lines.txt')})$")
# Site names and banner slogans: the page's, never a document's first line.
_SITE = re.compile(rf"^(?:{alternation(DATA / 'site_lines.txt')})")
# Where the site's tail begins: everything from such a line to the end is the site's.
_TAIL = re.compile(rf"^(?:{alternation(DATA / 'tail_lines.txt')})$")


def _folded(line: str) -> str:
    return re.sub(r"\s+", " ", fold(line)).strip()


def is_chrome(line: str) -> bool:
    """A line that is the page's whatever stands around it: skip links, widgets, buttons, counters,
    breadcrumbs, posting stamps, image lines, decorative rules, site names and banner slogans."""
    f = _folded(line)
    return bool(_CHROME.match(f) or _SITE.match(f))


def is_tail(line: str) -> bool:
    return bool(_TAIL.match(_folded(line)))


def tail_start(lines: list[str]) -> int:
    """Index of the first line of the site's tail (related lists, copyright, footer), or len(lines).
    Only once the document has begun — two lines of running text stand before it: a sidebar of
    related news saved before the article is not the end of the page."""
    running = 0
    for i, line in enumerate(lines):
        if running >= 2 and is_tail(line):
            return i
        running += len(line) >= 80
    return len(lines)


def is_menu_item(line: str) -> bool:
    """A short navigation entry ("Giới thiệu", "Tin tức - Sự kiện", "Ủy ban nhân dân tỉnh"): short,
    no sentence punctuation, not upper case (an issuing body is), no digits (dates, numbers)."""
    t = line.strip()
    letters = [c for c in t if c.isalpha()]
    return (
        0 < len(t) <= 40
        and not re.search(r"[.;:!?\d]", t)
        and not (letters and all(c.isupper() for c in letters))
    )
