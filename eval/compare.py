"""`chidao eval --compare`: chidao against simpler pipelines, same questions, same embedder, one process.

(a) BM25 only, over chidao's chunks (folded syllables + bigrams);
(b) the usual tutorial pipeline: RecursiveCharacterTextSplitter(1000, 200) over each whole file,
    dense top-k (exact cosine) with the raw question;
(c) dense only over chidao's sections (raw question, no lexicon, no diacritic restoration);
(d) chidao's full pipeline.
Baselines have no answer step and never abstain, so they are compared on retrieval, plus whether
the expected answer string is in their top-1 passage (an upper bound on what a reader could quote).
"""

from __future__ import annotations

import shutil
import statistics

import numpy as np

from assistant.query import parse_question
from assistant.retrieval import Asked
from eval.run import K_RETRIEVE, _ndcg, _squash

TUTORIAL_CHUNK, TUTORIAL_OVERLAP = 1000, 200


class _TutorialIndex:
    """1000/200 character chunks of the stored texts and their vectors, searched by exact cosine
    (what the tutorial's vector store returns, without its approximate index), cached per corpus."""

    def __init__(self, assistant):
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        store = assistant.store
        folder = store.home / "baselines" / "tutorial"
        cached = folder / f"{store.manifest().fingerprint()}.npz"
        splitter = RecursiveCharacterTextSplitter(chunk_size=TUTORIAL_CHUNK, chunk_overlap=TUTORIAL_OVERLAP)
        self.chunks = [
            (source, chunk)
            for source in sorted(store.manifest().documents)
            for chunk in splitter.split_text(store.source_text(source))
        ]
        if cached.is_file():
            self.vectors = np.load(cached)["vectors"]
        else:
            self.vectors = assistant.embedder.embed_documents([c for _, c in self.chunks])
            shutil.rmtree(folder, ignore_errors=True)  # an older corpus's vectors
            folder.mkdir(parents=True)
            np.savez(cached, vectors=self.vectors)

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, str]]:
        """(source, chunk text) of the k nearest chunks."""
        order = np.argsort(-(self.vectors @ vector), kind="stable")[:k]
        return [self.chunks[i] for i in order]


def _dedupe(items: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(key, source, text) ranked → first occurrence per key, as (source, text)."""
    seen, out = set(), []
    for key, source, text in items:
        if key not in seen:
            seen.add(key)
            out.append((source, text))
    return out


def run_compare(assistant, questions) -> dict:
    sections = assistant.store.sections()
    tutorial = _TutorialIndex(assistant)
    lexical = assistant.store.lexical()
    meta = dict(zip(lexical.ids, lexical.metadatas))
    answerable = [q for q in questions if q.answerable]
    rows: dict[str, list[dict]] = {"a_bm25": [], "b_tutorial": [], "c_dense_sections": [], "d_chidao": []}

    def score(system: str, q, ranked: list[tuple[str, str]], answer_ok: bool | None = None) -> None:
        relevant = [q.is_relevant(src, text) for src, text in ranked[:K_RETRIEVE]]
        top1 = _squash(ranked[0][1]) if ranked else ""
        rows[system].append(
            {
                "rank": relevant.index(True) + 1 if any(relevant) else None,
                "ndcg": _ndcg(relevant, len(q.relevant)),
                "in_top1": all(_squash(a) in top1 for a in q.answer_contains),
                "answer_ok": answer_ok,
            }
        )

    for q in answerable:
        query = parse_question(q.question)
        raw_vector = assistant.embedder.embed_query(query.text)
        hits = lexical.search(query.tokens, 4 * K_RETRIEVE)
        score(
            "a_bm25",
            q,
            _dedupe(
                [
                    (
                        meta[c]["section_id"],
                        sections[meta[c]["section_id"]].source,
                        sections[meta[c]["section_id"]].text,
                    )
                    for c, _ in hits
                ]
            ),
        )
        score("b_tutorial", q, tutorial.search(raw_vector, K_RETRIEVE))
        dense = assistant.retriever.retriever("dense").search(Asked(query, raw_vector), None, 4 * K_RETRIEVE)
        score(
            "c_dense_sections",
            q,
            _dedupe(
                [(f.section_id, sections[f.section_id].source, sections[f.section_id].text) for f in dense]
            ),
        )
        answer = assistant.ask(q.question, k=K_RETRIEVE)
        score("d_chidao", q, [(r.source, r.text) for r in answer.retrieved], answer_ok=q.answered_by(answer))

    def summary(rs: list[dict]) -> dict:
        n = len(rs)
        return {
            "questions": n,
            "hit@1": round(sum(r["rank"] == 1 for r in rs) / n, 3),
            "hit@5": round(sum(r["rank"] is not None and r["rank"] <= 5 for r in rs) / n, 3),
            "mrr": round(statistics.fmean(1 / r["rank"] if r["rank"] else 0 for r in rs), 3),
            "ndcg@10": round(statistics.fmean(r["ndcg"] for r in rs), 3),
            "answer_in_top1": round(sum(r["in_top1"] for r in rs) / n, 3),
            "answer_accuracy": round(sum(bool(r["answer_ok"]) for r in rs) / n, 3)
            if rs[0]["answer_ok"] is not None
            else None,
        }

    table = {system: summary(rs) for system, rs in rows.items()}
    full = table["d_chidao"]
    ratios = {
        system: {
            m: round(full[m] / v, 2) if v else None
            for m, v in t.items()
            if m in ("hit@1", "hit@5", "mrr", "ndcg@10", "answer_in_top1")
        }
        for system, t in table.items()
        if system != "d_chidao"
    }
    return {
        "systems": table,
        "ratio_of_chidao_to": ratios,
        "note": "answerable gold questions only; baselines have no answer step and do not abstain",
    }


def print_compare(result: dict, console) -> None:
    from rich.table import Table

    metrics = ["questions", "hit@1", "hit@5", "mrr", "ndcg@10", "answer_in_top1", "answer_accuracy"]
    table = Table("system", *metrics, title="chidao eval --compare (answerable questions)")
    for system, m in result["systems"].items():
        table.add_row(system, *("–" if m[k] is None else str(m[k]) for k in metrics))
    console.print(table)
    ratios = Table(
        "(d) ÷",
        "hit@1",
        "hit@5",
        "mrr",
        "ndcg@10",
        "answer_in_top1",
        title="ratio of chidao (d) to each baseline",
    )
    for system, r in result["ratio_of_chidao_to"].items():
        ratios.add_row(system, *(str(r[k]) for k in ["hit@1", "hit@5", "mrr", "ndcg@10", "answer_in_top1"]))
    console.print(ratios)
