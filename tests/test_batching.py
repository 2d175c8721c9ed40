"""The micro-batcher (our own logic, so a stand-in encoder): questions asked together share one
forward pass, each gets its own vector, and a failure reaches the callers of that pass only."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from embeddings.batching import MicroBatcher


class SlowEncoder:
    """Encodes each text as [len(text), hash]; a pass takes `seconds`, like a forward pass."""

    def __init__(self, seconds: float = 0.05, fail_on: str | None = None):
        self.seconds, self.fail_on = seconds, fail_on
        self.sizes: list[int] = []
        self.running = 0
        self.overlapped = False
        self._lock = threading.Lock()

    def __call__(self, texts):
        with self._lock:
            self.running += 1
            self.overlapped |= self.running > 1
        try:
            time.sleep(self.seconds)
            self.sizes.append(len(texts))
            if self.fail_on in texts:
                raise RuntimeError("the model failed")
            return np.array([[len(t), hash(t) % 1000] for t in texts], dtype=np.float32)
        finally:
            with self._lock:
                self.running -= 1


def _ask_together(batcher, texts):
    with ThreadPoolExecutor(len(texts)) as pool:
        futures = [pool.submit(batcher, t) for t in texts]
        return [f.result() for f in futures]


def test_eight_questions_at_once_share_few_passes_and_each_gets_its_own_vector():
    encoder = SlowEncoder()
    batcher = MicroBatcher(encoder, window_s=0.02)
    texts = [f"question {'x' * i}" for i in range(8)]
    vectors = _ask_together(batcher, texts)
    for t, v in zip(texts, vectors):
        assert v[0] == len(t) and v[1] == hash(t) % 1000
    assert sum(encoder.sizes) == 8 and len(encoder.sizes) <= 2  # not eight passes behind a lock
    assert not encoder.overlapped  # never two passes at once


def test_a_pass_takes_at_most_max_batch_and_the_rest_follow():
    encoder = SlowEncoder(seconds=0.02)
    batcher = MicroBatcher(encoder, window_s=0.02, max_batch=3)
    vectors = _ask_together(batcher, [f"q{i}" for i in range(7)])
    assert len(vectors) == 7 and max(encoder.sizes) <= 3 and sum(encoder.sizes) == 7


def test_a_failed_pass_reaches_its_callers_and_the_next_question_is_answered():
    encoder = SlowEncoder(fail_on="bad")
    batcher = MicroBatcher(encoder, window_s=0.02)
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(batcher, "bad"), pool.submit(batcher, "good")]
        for f in futures:
            with pytest.raises(RuntimeError, match="the model failed"):
                f.result()
    assert batcher("fine")[0] == 4  # no caller left waiting, no lead left held


def test_one_question_alone_is_one_pass_of_one():
    encoder = SlowEncoder(seconds=0.0)
    batcher = MicroBatcher(encoder)
    assert batcher("alone")[0] == 5 and encoder.sizes == [1]
