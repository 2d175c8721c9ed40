"""A short load test through the served API (the README's figures come from `chidao loadtest`, 20 users
for 2 minutes): it starts and stops its own server, and every question gets its answer."""

import json
import subprocess
import sys
from pathlib import Path


def test_loadtest_starts_its_server_and_loses_no_answer(cli_env, tmp_path):
    out = tmp_path / "load.json"
    chidao = str(Path(sys.executable).parent / "chidao")
    run = subprocess.run([chidao, "loadtest", "--users", "4", "--duration", "10", "--out", str(out)],
                         env=cli_env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["errors"] == 0 and result["lost"] == 0
    assert result["answers"] >= 4 and result["answers_per_user"]["min"] >= 1
    assert result["latency_ms"]["p50"] > 0
