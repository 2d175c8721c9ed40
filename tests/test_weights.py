"""The weights' checksums and their cast copy, on a tiny folder (the real weights are checked at every load)."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors.torch import load_file, save_file

from embeddings import weights
from embeddings.weights import WeightsError, cast_copy, sha256_of, verify


@pytest.fixture
def model_folder(tmp_path, monkeypatch):
    """A model folder shaped like the real one, whose sums stand in for the published ones."""
    folder = tmp_path / "models" / "tiny"
    (folder / "2_Dense").mkdir(parents=True)
    save_file({"w": torch.randn(4, 3), "ids": torch.arange(5)}, folder / "model.safetensors")
    save_file({"linear.weight": torch.randn(2, 4)}, folder / "2_Dense" / "model.safetensors")
    (folder / "tokenizer.json").write_text('{"model": "tiny"}', encoding="utf-8")
    (folder / "config.json").write_text(json.dumps({"dtype": "float32", "hidden_size": 3}), encoding="utf-8")
    sums = {name: sha256_of(folder / name) for name in ("model.safetensors", "tokenizer.json")}
    monkeypatch.setattr(weights, "CHECKSUMS", sums)
    return folder


def test_an_unchanged_file_is_not_hashed_again_and_a_rewritten_one_is(model_folder, monkeypatch):
    verify(model_folder)
    assert (model_folder / weights.STAMP).is_file()

    def no_hashing(path):
        raise AssertionError(f"{path} was hashed again although it did not change")

    with monkeypatch.context() as patched:
        patched.setattr(weights, "sha256_of", no_hashing)
        verify(model_folder)  # the stamp vouches for both files

    tokenizer = model_folder / "tokenizer.json"
    tokenizer.write_text('{"model": "tamp"}', encoding="utf-8")  # the same size, another mtime
    with pytest.raises(WeightsError, match="tokenizer.json has sha256"):
        verify(model_folder)


def test_a_corrupt_file_is_refused_even_with_a_stale_stamp(model_folder):
    verify(model_folder)
    path = model_folder / "model.safetensors"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="corrupt"):
        verify(model_folder)


def test_the_cast_copy_holds_the_same_weights_rounded_once(model_folder):
    copy = cast_copy(model_folder, "bfloat16")
    assert copy.name == "tiny.bfloat16"
    source, cast = load_file(model_folder / "model.safetensors"), load_file(copy / "model.safetensors")
    assert cast["w"].dtype == torch.bfloat16 and torch.equal(cast["w"], source["w"].to(torch.bfloat16))
    assert cast["ids"].dtype == torch.int64 and torch.equal(cast["ids"], source["ids"])  # integers kept
    assert load_file(copy / "2_Dense" / "model.safetensors")["linear.weight"].dtype == torch.bfloat16
    assert json.loads((copy / "config.json").read_text())["dtype"] == "bfloat16"
    assert (copy / "tokenizer.json").read_text() == '{"model": "tiny"}'


def test_the_cast_copy_is_made_once_and_checked_at_each_use(model_folder, monkeypatch):
    copy = cast_copy(model_folder, "bfloat16")
    monkeypatch.setattr("safetensors.torch.save_file", lambda *a, **k: pytest.fail("derived again"))
    assert cast_copy(model_folder, "bfloat16") == copy
    (copy / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(WeightsError, match="corrupt"):
        cast_copy(model_folder, "bfloat16")


def test_an_interrupted_cast_leaves_no_copy_and_the_next_one_completes(model_folder, monkeypatch):
    real_save = save_file
    calls = []

    def dies_on_second_file(tensors, path, metadata=None):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_save(tensors, path, metadata=metadata)

    monkeypatch.setattr("safetensors.torch.save_file", dies_on_second_file)
    with pytest.raises(KeyboardInterrupt):
        cast_copy(model_folder, "bfloat16")
    assert sorted(p.name for p in model_folder.parent.iterdir()) == ["tiny"]  # no half copy, no temp folder

    monkeypatch.setattr("safetensors.torch.save_file", real_save)
    copy = cast_copy(model_folder, "bfloat16")
    assert load_file(copy / "model.safetensors")["w"].dtype == torch.bfloat16


def test_a_copy_is_derived_only_from_verified_weights(model_folder):
    (model_folder / "tokenizer.json").write_text('{"model": "other"}', encoding="utf-8")
    with pytest.raises(WeightsError, match="tokenizer.json has sha256"):
        cast_copy(model_folder, "bfloat16")
    assert not (model_folder.parent / "tiny.bfloat16").exists()


def test_a_read_only_models_folder_falls_back_to_the_verified_weights(model_folder, monkeypatch):
    monkeypatch.setattr(weights, "default_model_path", lambda models_dir=None: model_folder)

    def no_space(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(weights.tempfile, "TemporaryDirectory", no_space)
    assert weights.resolve_model(None, dtype="bfloat16") == str(model_folder)
    assert weights.resolve_model(None, dtype="float32") == str(model_folder)
