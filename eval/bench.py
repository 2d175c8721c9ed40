"""`chidao bench`: ingestion, query latency, cold start, memory, index size, and a scaling curve.

The scaling curve uses synthetic sections recombined from the real ones (sentences mixed across
sections, figures and names changed) whose vectors are derived from the real sections' vectors
(a weighted mix plus noise) — so it measures the store, the fusion and the answer step, not the
model. Each scale runs in its own process so its peak RSS is its own.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from eval.run import percentile
from store.settings import environment

ROOT = Path(__file__).resolve().parent.parent
SECTIONS_PER_DOCUMENT = 100


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _rss_mb() -> float:
    """This process's peak RSS. Not ru_maxrss: it survives exec, so a child forked from a process
    holding the model would report the parent's peak. VmHWM belongs to the current address space."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# ---- ingestion ----------------------------------------------------------------------------
def bench_ingest(corpus: Path, embedder) -> dict:
    from store.index import Store
    from store.ingest import ingest

    home = Path(tempfile.mkdtemp(prefix="chidao-bench-"))
    try:
        timings: dict[str, float] = {}
        t = time.perf_counter()
        report = ingest([corpus], Store(home), lambda: embedder, timings=timings)
        total = time.perf_counter() - t
        sections = sum(report.sections.values())
        return {
            "documents": len(report.added),
            "sections": sections,
            "chunks": Store(home).count_chunks(),
            "seconds": round(total, 1),
            "sections_per_s": round(sections / total, 2),
            "where_the_time_goes_s": {k: round(v, 2) for k, v in timings.items()},
            "index_bytes": _du(home),
        }
    finally:
        shutil.rmtree(home, ignore_errors=True)


def bench_ingest_vs_plain(document: Path, embedder, window: int = 900) -> dict:
    """One sample document, side by side in one run: chidao's ingestion of it (everything it embeds:
    chunks and answer units, with its embedder's dtype) against plain fp32 sentence-transformers over
    the same text in `window`-character windows. Model loading is left out of both."""
    from sentence_transformers import SentenceTransformer

    from embeddings.weights import resolve_model
    from store.index import Store
    from store.ingest import ingest
    from store.reader import read_document

    home = Path(tempfile.mkdtemp(prefix="chidao-bench-"))
    try:
        t = time.perf_counter()
        report = ingest([document], Store(home), lambda: embedder)
        ours = time.perf_counter() - t
        embedded = Store(home).count_chunks()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    text, _ = read_document(document)
    windows = [text[i : i + window] for i in range(0, len(text), window)]
    plain = SentenceTransformer(resolve_model(None, dtype="float32"), device="cpu")
    plain.encode_document(windows[:1])  # the first pass sets up kernels; chidao's model is warm too
    t = time.perf_counter()
    plain.encode_document(windows, batch_size=16)
    theirs = time.perf_counter() - t
    return {
        "document": document.name,
        "characters": len(text),
        "chidao_s": round(ours, 1),
        "chidao_embed_dtype": getattr(embedder, "dtype", "?"),
        "chidao_sections": sum(report.sections.values()),
        "chidao_chunks": embedded,
        "plain_fp32_s": round(theirs, 1),
        "plain_windows": len(windows),
        "plain_over_chidao": round(theirs / ours, 2),
    }


# ---- queries on the real store -----------------------------------------------------------
def bench_queries(assistant, questions: list[str]) -> dict:
    def timed(q: str) -> float:
        t = time.perf_counter()
        assistant.ask(q)
        return (time.perf_counter() - t) * 1000

    assistant.warm()
    assistant.embedder.clear_cache()
    single = [timed(q) for q in questions]
    assistant.embedder.clear_cache()
    t = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        concurrent = list(pool.map(timed, questions))
    wall = time.perf_counter() - t
    return {
        "questions": len(questions),
        "single_p50_ms": percentile(single, 50),
        "single_p95_ms": percentile(single, 95),
        "concurrent8_p50_ms": percentile(concurrent, 50),
        "concurrent8_p95_ms": percentile(concurrent, 95),
        "concurrent8_questions_per_s": round(len(questions) / wall, 2),
    }


def bench_cold_start(home: Path, question: str) -> dict:
    """A fresh process answering one question: imports, model load, store open, answer."""
    env = environment(home=str(home))
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", question, "--json"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - t
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1])
    return {"cold_start_to_first_answer_s": round(seconds, 2)}


def bench_serving_rss(home: Path, questions: list[str]) -> dict:
    """Peak RSS of a process holding what `chidao serve` holds (model, store, Gradio app) after answering."""
    done = subprocess.run(
        [sys.executable, "-m", "eval.bench", "serve-probe", str(home), json.dumps(questions)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip()[-500:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def _serve_probe(home: str, questions: list[str]) -> None:
    from assistant.app import build
    from store.settings import settings
    from ui.app import build_app

    assistant = build(settings().model_copy(update={"home": Path(home)})).assistant
    app = build_app(assistant)
    app.launch(server_name="127.0.0.1", server_port=None, prevent_thread_lock=True, quiet=True)
    for q in questions:
        assistant.ask(q)
    app.close()
    print(json.dumps({"serving_peak_rss_mb": _rss_mb()}))


# ---- scaling curve -----------------------------------------------------------------------
class FixedVectors:
    """Stands in for the embedder in the scaling runs: query vectors were computed beforehand."""

    def __init__(self, vectors: dict[str, np.ndarray]):
        self.vectors = vectors

    def embed_query(self, text: str) -> np.ndarray:
        return self.vectors[text]

    def clear_cache(self) -> None:
        pass


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Quang Cường", "Phạm Minh Đức", "Hoàng Thu Hà", "Vũ Đình Khoa"]


def _synthetic_batches(real: list, vectors: dict[str, np.ndarray], n: int, rng: random.Random):
    """Yield (Document, chunks, vectors, unit vectors) batches of SECTIONS_PER_DOCUMENT synthetic sections;
    a unit's vector is its section's plus noise, so the unit index has its real size and search cost."""
    from store.models import Chunk, Document, Section, Span
    from store.units import document_units
    from store.vietnamese import find_officials

    sentences = {s.id: re.split(r"(?<=[.;])\s+", s.text.replace("\n", " ")) for s in real}
    made = 0
    d = 0
    while made < n:
        texts, titles, mixes = [], [], []
        for _ in range(min(SECTIONS_PER_DOCUMENT, n - made)):
            a, b = rng.sample(real, 2)
            parts = sentences[a.id][:3] + sentences[b.id][:1]
            text = " ".join(parts)[:850]
            text = _NUMBER.sub(lambda m: str(rng.randint(1, 9999)), text)
            for name in find_officials(text):
                text = text.replace(name, rng.choice(_NAMES))
            texts.append(text)
            titles.append(f"{a.title[:80]} ({made})")
            noise = np.random.default_rng(made).standard_normal(vectors[a.id].shape[0]).astype(np.float32)
            v = 0.8 * vectors[a.id] + 0.2 * vectors[b.id] + 0.05 * noise
            mixes.append(v / np.linalg.norm(v))
            made += 1
        body = "\n".join(f"{t}\n{x}" for t, x in zip(titles, texts))
        source = f"synthetic_{d:06d}.txt"
        sha = hashlib.sha256(body.encode()).hexdigest()
        sections, chunks, pos = [], [], 0
        for i, (t, x) in enumerate(zip(titles, texts)):
            start = pos + len(t) + 1
            sid = f"{source}#{i}"
            sections.append(
                Section(
                    id=sid,
                    source=source,
                    ordinal=i,
                    path=f"Mục {i + 1}",
                    title=t,
                    spans=[Span(start=pos, end=pos + len(t)), Span(start=start, end=start + len(x))],
                    joiners=["\n"],
                    text=f"{t}\n{x}",
                )
            )
            chunks.append(Chunk(id=f"{sid}@{sha[:12]}:0", section_id=sid, text=f"{t}\n{x}", start=0))
            pos = start + len(x) + 1
        doc = Document(
            source=source,
            kind="digest",
            title=f"Synthetic digest {d}",
            sha256=sha,
            text=body,
            sections=sections,
        )
        d += 1
        units = document_units(doc)
        by_section = {sec.id: mixes[i] for i, sec in enumerate(sections)}
        unit_vectors = np.stack(
            [
                by_section[u.section_id]
                + 0.05 * np.random.default_rng(made + j).standard_normal(len(mixes[0])).astype(np.float32)
                for j, u in enumerate(units)
            ]
        )
        unit_vectors /= np.linalg.norm(unit_vectors, axis=1, keepdims=True)
        yield doc, chunks, np.stack(mixes).astype(np.float32), unit_vectors.astype(np.float32)


def _scale_probe(n: int, seed_home: str, queries_file: str) -> None:
    """One point of the curve, in its own process: build n synthetic sections, time questions."""
    from assistant.service import Assistant
    from store.index import Store

    seed = Store(Path(seed_home))
    real = list(seed.sections().values())
    chunks = seed.chunk_vectors()
    by_section: dict[str, list] = {}
    for e, m in zip(chunks.vectors, chunks.metadatas):
        by_section.setdefault(m["section_id"], []).append(e)
    vectors = {sid: np.mean(v, axis=0) / np.linalg.norm(np.mean(v, axis=0)) for sid, v in by_section.items()}
    real = [s for s in real if s.id in vectors]
    payload = json.loads(Path(queries_file).read_text())
    query_vectors = {q: np.asarray(v, dtype=np.float32) for q, v in payload["vectors"].items()}
    questions = payload["questions"]

    home = Path(tempfile.mkdtemp(prefix=f"chidao-scale-{n}-"))
    try:
        store = Store(home)
        t = time.perf_counter()
        batch = []
        for item in _synthetic_batches(real, vectors, n, random.Random(n)):
            batch.append(item)
            if len(batch) == 100:
                store.put_documents(batch)
                batch = []
        if batch:
            store.put_documents(batch)
        build = time.perf_counter() - t
        assistant = Assistant(Store(home), FixedVectors(query_vectors))
        t = time.perf_counter()
        assistant.warm_structures()
        load = time.perf_counter() - t
        latencies = []
        for _ in range(2):  # the second pass is the measured one: caches warm, as in serving
            latencies = []
            for q in questions:
                t = time.perf_counter()
                assistant.ask(q)
                latencies.append((time.perf_counter() - t) * 1000)
        print(
            json.dumps(
                {
                    "sections": n,
                    "build_s": round(build, 1),
                    "load_s": round(load, 1),
                    "query_p50_ms": percentile(latencies, 50),
                    "query_p95_ms": percentile(latencies, 95),
                    "peak_rss_mb": _rss_mb(),
                    "index_mb": round(_du(home) / 1e6, 1),
                }
            )
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)


def bench_scaling(
    seed_home: Path, assistant, questions: list[str], scales: list[int], plot: Path | None
) -> list[dict]:
    from assistant.diacritics import has_diacritics
    from assistant.query import parse_question

    # Keyed by what the assistant embeds. Unaccented questions are left out: their restored text
    # depends on the (synthetic) store's vocabulary, so it could not be computed here.
    queries = {}
    for q in questions:
        query = parse_question(q)
        if query.language == "en" or has_diacritics(query.text):
            queries[query.search_text] = assistant.embedder.embed_query(query.search_text).tolist()
    qfile = Path(tempfile.mkstemp(suffix=".json")[1])
    kept = [q for q in questions if parse_question(q).search_text in queries]
    qfile.write_text(json.dumps({"vectors": queries, "questions": kept}))
    points = []
    try:
        for n in scales:
            done = subprocess.run(
                [sys.executable, "-m", "eval.bench", "scale-probe", str(n), str(seed_home), str(qfile)],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
            if done.returncode != 0:
                points.append({"sections": n, "error": done.stderr.strip().splitlines()[-1][:200]})
                continue
            points.append(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        qfile.unlink(missing_ok=True)
    if plot:
        _plot(points, plot)
    return points


def _plot(points: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = [p for p in points if "error" not in p]
    if not ok:
        return
    x = [p["sections"] for p in ok]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    left.plot(x, [p["query_p50_ms"] for p in ok], "o-", label="p50")
    left.plot(x, [p["query_p95_ms"] for p in ok], "s-", label="p95")
    left.set_xscale("log")
    left.set_xlabel("sections")
    left.set_ylabel("ms per question (retrieval + fusion + answer)")
    left.legend()
    left.set_title("query latency")
    right.plot(x, [p["peak_rss_mb"] for p in ok], "o-")
    right.set_xscale("log")
    right.set_xlabel("sections")
    right.set_ylabel("peak RSS (MB)")
    right.set_title("memory")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)


if __name__ == "__main__":
    if sys.argv[1] == "serve-probe":
        _serve_probe(sys.argv[2], json.loads(sys.argv[3]))
    elif sys.argv[1] == "scale-probe":
        _scale_probe(int(sys.argv[2]), sys.argv[3], sys.argv[4])
