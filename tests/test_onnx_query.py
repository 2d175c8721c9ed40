"""Questions through ONNX Runtime get torch's vectors, and serving them never imports torch."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from embeddings.onnx_query import DATA_FILE, MODEL_FILE, OnnxQueryEncoder, export_path
from embeddings.weights import WeightsError, default_model_path

FOLDER = export_path(default_model_path(Path(os.environ.get("CHIDAO_MODELS", "~/.cache/chidao/models"))))


@pytest.fixture(scope="module")
def onnx(embedder) -> OnnxQueryEncoder:
    if embedder.dtype != "float32":
        pytest.skip("bf16 documents: questions stay on torch, which gives their vectors")
    assert embedder.onnx is not None, "fp32 embedder without its ONNX copy: run `chidao models fetch`"
    return embedder.onnx


def test_onnx_vectors_are_torch_vectors(embedder, onnx):
    long = " ".join(f"Mục {i}: Sở Du lịch chủ trì kế hoạch số {i}/KH-UBND năm 2024." for i in range(40))
    texts = [
        "Ai làm Trưởng Ban Chỉ đạo phát triển du lịch tỉnh?",
        "How many training classes abroad are planned for 2024?",
        "kim ngach xuat nhap khau thang 1/2023",
        long,  # past Gemma3's 257-token sliding window and the 512-token cut: both masks and truncation
    ]
    prompted = [embedder.query_prompt + t for t in texts]
    assert len(onnx.tokenizer.encode(prompted[-1]).ids) == embedder.max_seq_length
    reference = embedder.model.encode(prompted, prompt="", normalize_embeddings=True, convert_to_numpy=True)
    batched = onnx.encode(prompted)  # padded to the longest: padding must not change a vector
    one_by_one = np.stack([onnx.encode([p])[0] for p in prompted])
    assert np.min(np.sum(batched * reference, axis=1)) > 0.9999
    assert np.allclose(batched, one_by_one, atol=1e-4)
    same_ids = [embedder.model.tokenizer(p, truncation=True, max_length=512)["input_ids"] for p in prompted]
    assert same_ids == [onnx.tokenizer.encode(p).ids for p in prompted]


def test_a_question_is_answered_without_importing_torch(onnx):
    code = (
        "import sys; from assistant.app import load_embedder; e = load_embedder(); "
        "v = e.embed_query('Ai ký Quyết định 2230/QĐ-UBND?'); "
        "print(e.query_backend, v.shape[0], 'torch' in sys.modules, 'transformers' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["onnx", "768", "False", "False"]


def test_a_tampered_export_is_refused(onnx, tmp_path):
    copy = tmp_path / FOLDER.name
    copy.mkdir()
    for item in FOLDER.iterdir():
        if item.name not in (MODEL_FILE, ".verified.json"):
            (copy / item.name).symlink_to(item)
    graph = bytearray((FOLDER / MODEL_FILE).read_bytes())
    graph[-1] ^= 1
    (copy / MODEL_FILE).write_bytes(bytes(graph))
    assert (copy / DATA_FILE).exists()
    with pytest.raises(WeightsError, match="corrupt"):
        OnnxQueryEncoder(copy)
    shutil.rmtree(copy)


def test_no_export_is_a_clear_error(tmp_path):
    with pytest.raises(WeightsError, match="models fetch"):
        OnnxQueryEncoder(tmp_path)
