"""A short load test through the served API (the README's figures come from `chidao loadtest`, 20 users
for 2 minutes): it starts and stops its own server, every question gets its answer, all along the run,
and each answer is the one the same question gets asked alone."""

import json
import subprocess
import sys
from pathlib import Path

from eval.load import answer_digest


def test_loadtest_starts_its_server_and_loses_no_answer(cli_env, tmp_path, assistant):
    out = tmp_path / "load.json"
    chidao = str(Path(sys.executable).parent / "chidao")
    run = subprocess.run(
        [chidao, "loadtest", "--users", "4", "--duration", "20", "--out", str(out)],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["errors"] == 0 and result["lost"] == 0 and result["inconsistent"] == []
    # every user kept getting answers until the end, not one answer and then silence
    assert result["answers_per_user"]["min"] >= 3 and result["last_answer_s"] >= 0.7 * result["duration_s"]
    assert result["latency_ms"]["p50"] > 0
    # each served answer is the answer the same question gets in this process: right, not just well-formed
    served = result["answers_by_question"]
    assert len(served) >= 8
    assert {q: answer_digest(assistant.ask(q).model_dump(mode="json")) for q in served} == served
    assert not all(assistant.ask(q).abstained for q in served)  # a server that abstains on everything fails
