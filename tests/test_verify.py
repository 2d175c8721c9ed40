from datetime import date

from assistant.models import Citation
from assistant.verify import is_exact_span, verified

SOURCE = "Theo đó, Ban Chỉ đạo phát triển Du lịch tỉnh do đồng chí Phó Chủ tịch UBND tỉnh làm Trưởng Ban."


def citation(quote: str, start: int, end: int, n: int = 1) -> Citation:
    return Citation(
        n=n,
        source="a.txt",
        section="Mục 1",
        doc_number=None,
        date=date(2023, 8, 30),
        quote=quote,
        start=start,
        end=end,
        document="A",
    )


def test_exact_span_is_accepted():
    start = SOURCE.index("Ban Chỉ đạo")
    quote = SOURCE[start : start + 40]
    assert is_exact_span(SOURCE, quote, start, start + 40)


def test_a_quote_altered_by_one_character_is_rejected():
    start = SOURCE.index("Ban Chỉ đạo")
    quote = SOURCE[start : start + 40]
    for i in range(len(quote)):
        altered = quote[:i] + ("x" if quote[i] != "x" else "y") + quote[i + 1 :]
        assert not is_exact_span(SOURCE, altered, start, start + 40)
    # the same characters with a diacritic changed (ạ → a) are a different quote too
    assert not is_exact_span(SOURCE, quote.replace("đạo", "đao"), start, start + 40)


def test_bad_offsets_and_blank_quotes_are_rejected():
    assert not is_exact_span(SOURCE, SOURCE[0:10], 1, 11)
    assert not is_exact_span(SOURCE, "", 0, 0)
    assert not is_exact_span(SOURCE, "   ", 7, 10)
    assert not is_exact_span(SOURCE, SOURCE[-5:], len(SOURCE) - 5, len(SOURCE) + 1)
    assert not is_exact_span(SOURCE, SOURCE[:5], -1, 4)


def test_verified_drops_bad_citations_and_renumbers():
    good = citation(SOURCE[9:20], 9, 20, n=2)
    bad = citation(SOURCE[9:20] + "!", 9, 21, n=1)
    missing = Citation(**{**good.model_dump(), "source": "gone.txt"})
    texts = {"a.txt": SOURCE}

    def source_text(name):
        return texts[name]

    kept = verified([bad, good, missing], source_text)
    assert [(c.n, c.quote) for c in kept] == [(1, SOURCE[9:20])]
