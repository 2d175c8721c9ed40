"""Questions embedded by ONNX Runtime, without importing torch.

The same fp32 model (encoder, mean pooling, both Dense layers, normalisation) is exported once from
the verified weights with `torch.onnx.export` and optimised by ONNX Runtime, beside the weights,
with its own checksums. Only questions go this way: on a CPU without fast bf16 (fp32 documents) a
question's vector is the same as torch's (cosine ≥ 0.99999, identical token ids; tests/test_onnx_query.py),
it comes several times faster, and serving never imports torch or transformers, which is most of a
cold start. Documents stay on sentence-transformers (its batching, bf16 where the flags say so).
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.weights import DERIVED_SUMS, WeightsError, _read_json, derive_once, sha256_of, verify

MODEL_FILE = "model.onnx"
DATA_FILE = "model.onnx.data"  # the weights, outside the graph (protobuf's 2 GB limit)
KEPT = ("tokenizer.json", "config_sentence_transformers.json")


def export_path(source: Path) -> Path:
    return source.with_name(f"{source.name}.onnx")


def export(source: Path) -> Path:
    """The ONNX copy of the sentence-transformers model in `source`, derived once beside it
    (`weights.derive_once`: temporary folder, rename, its own sums checked at every later call)."""

    def write(staged: Path) -> dict[str, str]:
        raw = staged.parent / "raw" / MODEL_FILE
        raw.parent.mkdir()
        _torch_export(source, raw)
        staged.mkdir()
        _optimise(raw, staged / MODEL_FILE)
        for name in KEPT:
            shutil.copy2(source / name, staged / name)
        return {name: sha256_of(staged / name) for name in (MODEL_FILE, DATA_FILE, *KEPT)}

    return derive_once(source, export_path(source), write)


def _torch_export(source: Path, out: Path) -> None:
    import torch
    from sentence_transformers import SentenceTransformer

    # eager attention adds the float masks that Pipeline builds: plain ops, which the exporter traces
    st = SentenceTransformer(str(source), device="cpu", model_kwargs={"attn_implementation": "eager"})
    encoder: Any = st[0].auto_model
    window = int(encoder.config.sliding_window)
    dense = [m for m in list(st)[2:] if hasattr(m, "linear")]

    class Pipeline(torch.nn.Module):
        """What `SentenceTransformer.encode` computes, with Gemma3's bidirectional masks built here as
        plain tensor ops (an earlier export found transformers' own mask construction does not export)."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder: Any = encoder
            self.dense = torch.nn.ModuleList(dense)

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            n = input_ids.shape[1]
            keep = attention_mask.bool()[:, None, None, :].expand(-1, 1, n, -1)
            position = torch.arange(n)
            near = (position[None, :] - position[:, None]).abs() < window  # transformers' exclusive window
            zero, neg = torch.zeros(()), torch.tensor(torch.finfo(torch.float32).min)
            masks = {
                "full_attention": torch.where(keep, zero, neg),
                "sliding_attention": torch.where(keep & near[None, None], zero, neg),
            }
            hidden = self.encoder(input_ids=input_ids, attention_mask=masks).last_hidden_state
            weight = attention_mask.unsqueeze(-1).to(hidden.dtype)
            x = (hidden * weight).sum(1) / weight.sum(1).clamp(min=1e-9)
            for layer in self.dense:
                x = layer({"sentence_embedding": x})["sentence_embedding"]
            return torch.nn.functional.normalize(x, dim=-1)

    sample = st.tokenizer(["a question", "a longer question, padded"], padding=True, return_tensors="pt")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shape-dependent Python values, expected here
        torch.onnx.export(
            Pipeline().eval(),
            (sample["input_ids"], sample["attention_mask"]),
            str(out),
            dynamo=False,
            opset_version=17,
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
                "embedding": {0: "batch"},
            },
        )


def _optimise(raw: Path, out: Path) -> None:
    """Fuse the graph once (about 17 s on 2 cores) so that loading it later takes under a second."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(out)
    options.add_session_config_entry("session.optimized_model_external_initializers_file_name", DATA_FILE)
    options.add_session_config_entry(
        "session.optimized_model_external_initializers_min_size_in_bytes", "1024"
    )
    ort.InferenceSession(str(raw), options, providers=["CPUExecutionProvider"])


class OnnxQueryEncoder:
    """Embeds (prompted) texts with the exported model; one `encode` per forward pass."""

    def __init__(self, folder: Path, max_length: int = 512, threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        sums = _read_json(folder / DERIVED_SUMS)
        if not sums:
            raise WeightsError(f"{folder} holds no ONNX export; run `chidao models fetch` to make it.")
        verify(folder, sums)
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL  # optimised at export
        options.intra_op_num_threads = threads or max(1, os.cpu_count() or 1)
        self.session = ort.InferenceSession(
            str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length)
        self.tokenizer.no_padding()
        width = self.session.get_outputs()[0].shape[-1]
        self.dimension = width if isinstance(width, int) else len(self.encode(["x"])[0])
        prompts = _read_json(folder / "config_sentence_transformers.json").get("prompts") or {}
        self.prompts: dict[str, str] = {k: v for k, v in prompts.items() if isinstance(v, str)}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encoded)
        ids = np.zeros((len(encoded), width), dtype=np.int64)  # right-padded, as sentence-transformers pads
        mask = np.zeros_like(ids)
        for row, e in enumerate(encoded):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        (vectors,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
        return np.asarray(vectors, dtype=np.float32)
