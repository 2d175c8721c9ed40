"""The real embedder: passages given twice are embedded once and get the same vector back."""

from __future__ import annotations

import numpy as np


def test_a_passage_given_twice_is_embedded_once(embedder, monkeypatch):
    seen: list[list[str]] = []
    encode = embedder.model.encode

    def counting(inputs, **kwargs):
        seen.append(list(inputs))
        return encode(inputs, **kwargs)

    monkeypatch.setattr(embedder.model, "encode", counting)
    texts = ["Sở Du lịch chủ trì.", "Kim ngạch tháng 1.", "Sở Du lịch chủ trì.", "Sở Du lịch chủ trì."]
    # the third repeats the first; the fourth has its own title
    titles = ["Kế hoạch", None, "Kế hoạch", "Báo cáo"]
    vectors = embedder.embed_documents(texts, titles)

    assert [len(batch) for batch in seen] == [3]
    assert vectors.shape == (4, embedder.dimension)
    assert np.array_equal(vectors[0], vectors[2])
    assert not np.allclose(vectors[0], vectors[3])  # a title is part of what is embedded
    alone = embedder.embed_documents(["Kim ngạch tháng 1."])
    assert np.allclose(alone[0], vectors[1], atol=1e-2)
