"""Property tests (hypothesis): the normaliser, the document-number parser, the legacy-font decoder and the
verifier never crash on any text, and the verifier never accepts a quote that is not an exact span."""

from __future__ import annotations

import unicodedata
from datetime import date

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assistant.models import Citation
from assistant.verify import is_exact_span, verified
from store.encodings import EncodingError, decode, fix_legacy_fonts
from store.vietnamese import doc_number_key, find_doc_numbers, fold, normalize

VIET = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĐQĐUBND/-. "
texts = st.one_of(st.text(), st.text(alphabet=VIET, max_size=300))
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(texts)
def test_normalize_is_total_and_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert once == once.strip()


@FAST
@given(texts)
def test_fold_leaves_no_diacritics(text):
    assert not any(unicodedata.combining(c) for c in fold(text))


@FAST
@given(texts)
def test_doc_number_parser_gives_offsets_inside_the_text(text):
    for number, start, end in find_doc_numbers(text):
        assert 0 <= start < end <= len(text)
        assert number and not any(c.isspace() for c in number)


codes = st.sampled_from(
    ["QĐ-UBND", "KH-UBND", "UBND-KGVX", "VP-KGVX", "BC-UBND", "TB-VPUBND", "NĐ-CP", "CTr/TU"]
)


@FAST
@given(st.integers(1, 99999), codes, st.text(alphabet=VIET, max_size=40), st.text(alphabet=VIET, max_size=40))
def test_a_document_number_in_any_sentence_is_found(n, code, before, after):
    number = f"{n}/{code}" if "/" not in code else f"{n}-{code}"
    text = f"{before} số {number}, {after}"
    assert doc_number_key(number) in {doc_number_key(x) for x, _, _ in find_doc_numbers(text)}


@FAST
@given(st.binary(max_size=400))
def test_decoder_accepts_or_refuses_any_bytes(raw):
    try:
        text, how = decode(raw)
    except EncodingError as e:
        assert "\n" not in str(e)
        return
    assert isinstance(text, str) and how
    fix_legacy_fonts(text)


@FAST
@given(st.data())
def test_verifier_accepts_only_exact_spans(data):
    text = data.draw(texts)
    start = data.draw(st.integers(-5, len(text) + 5))
    end = data.draw(st.integers(-5, len(text) + 5))
    exact = text[max(start, 0) : max(end, 0)]
    quote = data.draw(
        st.one_of(
            st.just(exact),
            texts,
            st.just(exact + " "),
            st.just(exact.upper()),
            st.just(unicodedata.normalize("NFD", exact)),
        )
    )
    if is_exact_span(text, quote, start, end):
        assert 0 <= start < end <= len(text) and text[start:end] == quote and quote.strip()


@FAST
@given(st.data())
def test_verified_citations_are_exact_spans_of_their_source(data):
    sources = {"a.txt": data.draw(texts), "b.txt": data.draw(texts)}
    citations = []
    for n in range(data.draw(st.integers(1, 4))):
        source = data.draw(st.sampled_from(["a.txt", "b.txt", "gone.txt"]))
        text = sources.get(source, "")
        start = data.draw(st.integers(0, len(text) + 2))
        end = data.draw(st.integers(0, len(text) + 2))
        quote = data.draw(st.one_of(st.just(text[start:end]), texts))
        assume(quote)
        citations.append(
            Citation(
                n=n + 1,
                source=source,
                section="1",
                doc_number=None,
                date=date(2026, 1, 1),
                quote=quote,
                start=start,
                end=end,
                document="D",
            )
        )
    kept = verified(citations, lambda s: sources[s])
    for c in kept:
        assert sources[c.source][c.start : c.end] == c.quote
    assert [c.n for c in kept] == list(range(1, len(kept) + 1))
