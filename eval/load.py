"""`chidao loadtest`: many staff asking at once through the served app's API, on loopback.

Each simulated user asks the gold questions (Vietnamese, English, without diacritics, unanswerable)
in its own order through `/answer`, one after another, until the time is up. An answer counts as
lost if it does not come back, or comes back for another question, or is neither an abstention nor
backed by citations, or differs from the answer another user got to the same question. Bounded: `users`
threads, `duration` seconds, then each finishes its request.
"""

from __future__ import annotations

import hashlib
import http.cookiejar
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from eval.run import percentile


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`chidao serve` in a child process on a free loopback port; stopped on exit."""

    def __init__(self, env: dict[str, str] | None = None, timeout: float = 300):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        chidao = Path(sys.executable).parent / "chidao"
        self.log = tempfile.TemporaryFile()  # everything the server printed (tests read it)
        self.proc = subprocess.Popen(
            [str(chidao), "serve", "--port", str(self.port)],
            env=env,  # None: this process's own
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(self.url + "/gradio_api/info", timeout=2).read(1)
                return
            except urllib.error.HTTPError:
                return  # up, and asking for a login
            except OSError as e:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"chidao serve did not start: {self.output()[-1500:]}") from e
                time.sleep(0.5)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class ApiClient:
    """A light client of Gradio's REST API (POST the call, read its event stream): the load test's
    own CPU should not compete with the server on a 2-core machine, as gradio_client's does."""

    def __init__(self, url: str, auth: tuple[str, str] | None = None, timeout: float = 300):
        self.url, self.timeout = url.rstrip("/"), timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        if auth:
            form = urllib.parse.urlencode({"username": auth[0], "password": auth[1]}).encode()
            self.opener.open(f"{self.url}/login", data=form, timeout=timeout).read()

    def call(self, api_name: str, *args):
        request = urllib.request.Request(
            f"{self.url}/gradio_api/call/{api_name}",
            headers={"Content-Type": "application/json"},
            data=json.dumps({"data": list(args)}).encode(),
        )
        event_id = json.loads(self.opener.open(request, timeout=self.timeout).read())["event_id"]
        event = None
        with self.opener.open(
            f"{self.url}/gradio_api/call/{api_name}/{event_id}", timeout=self.timeout
        ) as stream:
            for raw in stream:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event in ("complete", "error"):
                    if event == "error":
                        raise RuntimeError(f"the server reported an error: {line[6:][:200]}")
                    return json.loads(line[6:])[0]
        raise RuntimeError("the event stream ended without an answer")


def answer_digest(answer: dict) -> str:
    """What an answer says and cites, in 16 hex digits: the same question must get the same answer
    under load as asked alone, whoever asks it."""
    cited = [(c["source"], c["start"], c["end"]) for c in answer.get("citations") or []]
    return hashlib.sha256(
        json.dumps([answer.get("answer"), bool(answer.get("abstained")), cited], ensure_ascii=False).encode()
    ).hexdigest()[:16]


def run_load(
    url: str,
    questions: list[str],
    users: int = 20,
    duration: float = 120.0,
    auth: tuple[str, str] | None = None,
) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lost: list[str] = []
    per_user = [0] * users
    digests: dict[str, set[str]] = {}  # question → the answers it got (one, unless something is wrong)
    last_answer = 0.0
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + duration

    def user(u: int) -> None:
        nonlocal last_answer
        try:
            client = ApiClient(url, auth)
        except Exception as e:  # the server refused the connection or the login
            with lock:
                errors.append(f"user {u}: connect: {type(e).__name__}: {e}")
            return
        i = 0
        while time.monotonic() < deadline:
            q = questions[(u * 7 + i) % len(questions)]  # each user its own order
            i += 1
            t = time.perf_counter()
            try:
                got = client.call("answer", q)
            except Exception as e:
                with lock:
                    errors.append(f"user {u}: {type(e).__name__}: {e}"[:300])
                continue
            ms = (time.perf_counter() - t) * 1000
            ok = (
                isinstance(got, dict)
                and got.get("question") == q
                and (got.get("abstained") or got.get("citations"))
            )
            with lock:
                latencies.append(ms)
                per_user[u] += 1
                if not ok:
                    lost.append(q)
                else:
                    digests.setdefault(q, set()).add(answer_digest(got))
                    last_answer = time.monotonic() - start

    threads = [threading.Thread(target=user, args=(u,), daemon=True) for u in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + 300)
    elapsed = time.monotonic() - start
    inconsistent = sorted(q for q, d in digests.items() if len(d) > 1)
    return {
        "users": users,
        "duration_s": duration,
        "elapsed_s": round(elapsed, 1),
        "requests": len(latencies) + len(errors),
        "answers": len(latencies),
        "errors": len(errors),
        "lost": len(lost) + len(inconsistent),
        "throughput_qps": round(len(latencies) / elapsed, 2),
        "latency_ms": {
            "p50": round(percentile(latencies, 50)),
            "p95": round(percentile(latencies, 95)),
            "max": round(max(latencies, default=0)),
        },
        "answers_per_user": {"min": min(per_user), "max": max(per_user)},
        "last_answer_s": round(last_answer, 1),  # answers kept coming until the end of the run
        "inconsistent": inconsistent,  # answered differently to different users: each counts as lost
        "answers_by_question": {q: sorted(d)[0] for q, d in sorted(digests.items())},
        "error_samples": errors[:5],
        "lost_samples": lost[:5],
    }
