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

# Whole lines, matched on the folded text (no diacritics, lower case): see `is_chrome`.
_CHROME = re.compile(
    r"^(?:"
    # skip links
    r"nhay den noi dung(?: chinh)?|bo qua noi dung|chuyen den noi dung(?: chinh)?"
    r"|skip to (?:main )?content|skip navigation"
    r"|banner|logo|menu|tim kiem|search|dang nhap(?: \| dang ky)?.*|dang ky"
    # font-size, contrast and reading widgets
    r"|a- a a\+.*|a-|a\+|tang tuong phan.*|giam tuong phan.*|co chu:.*|nghe doc bai viet.*|doc bai viet"
    # share, print, e-mail, back
    r"|chia se(?: bai viet)?:?|share|facebook|zalo|twitter|linkedin|youtube|tweet|like"
    r"|in bai(?: viet)?|in trang|in|print|ban in"
    r"|gui email|gui e-mail|gui bai(?: viet)?|email|luu bai(?: viet)?|luu tru|ghi chu|y kien"
    r"|quay lai|tro ve|ve dau trang|dau trang|top"
    r"|tai ve|tai van ban|van ban goc|thuoc tinh|tieng anh|luoc do"
    r"|thuoc tinh\s+noi dung.*"
    # rating widgets, counters, posting stamps
    r"|danh gia bai viet:?.*|tong so diem cua bai viet la.*|click de danh gia bai viet|binh chon.*"
    r"|(?:tong )?luot (?:xem|truy cap)\s*:?\s*[\d.,]*|dang truy cap\s*:?\s*[\d.,]*|online\s*:?\s*[\d.,]*"
    r"|ngay (?:dang|cap nhat|xuat ban)\s*:.*|cap nhat (?:luc|ngay)\s*:?.*|(?:nguon|theo)\s*:\s*[^.]{3,80}"
    # images and their captions, stray page numbers
    r"|https?://\S+|anh minh hoa|\(?anh:.{0,60}\)?|\d{1,4}"
    # breadcrumbs: "Trang chủ > … > …", "Trang chủ / …", "Trang chủ » …"
    r"|trang chu(?:\s*[>/»›|]\s*.*)?"
    # decorative rules under the issuing body and the motto
    r"|[-_=*.·•]{3,}"
    r")$"
)
# Site names and banner slogans: the page's, never a document's first line.
_SITE = re.compile(
    r"^(?:cong thong tin dien tu|cong ttdt|trang thong tin dien tu|website|trang tin|thu vien phap "
    r"luat|co so du lieu quoc gia"
    r"|(?:nhiet liet )?chao mung|quyet tam thuc hien thang loi|thi dua yeu nuoc|hoc tap va lam theo)"
)
# Where the site's tail begins: everything from such a line to the end is the site's.
_TAIL = re.compile(
    r"^(?:tin lien quan|cac tin khac|tin khac|tin cung chuyen muc|bai viet lien quan|tin moi(?: nhat)?|tin da dua"
    r"|tin xem nhieu(?: nhat)?|van ban lien quan|van ban nay chua co chi dan thay doi|cac van ban khac"
    r"|ban quyen (?:thuoc|©|\(c\)).{0,150}|copyright\b.{0,150}|©.{0,150}"
    r"|co quan chu quan\s*:.*|chiu trach nhiem chinh\s*:.*"
    r"|ghi ro nguon\b.*)$"
)


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
