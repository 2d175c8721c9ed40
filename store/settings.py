"""Every CHIDAO_* environment variable, in one typed class (the README's "Settings" table).

Read when asked, not at import: a test or a long-running server that changes the environment sees
the change at the next call, as each module's own `os.environ.get` did before. A bad value is one
clear error naming the variable, never a traceback from deep inside ingestion.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(ValueError):
    """A CHIDAO_* variable that does not parse; the message names it and says what it takes."""


class Settings(BaseSettings):
    # An empty value is an unset one. (Names match in any case, as pydantic-settings does.)
    model_config = SettingsConfigDict(
        env_prefix="CHIDAO_", extra="ignore", frozen=True, env_ignore_empty=True
    )

    home: Path = Field(Path(".chidao"), description="the store: Chroma, the lexical index, stored texts")
    models: Path = Field(
        Path.home() / ".cache" / "chidao" / "models", description="the embedder's verified weights"
    )
    embed_model: str | None = Field(None, description="another sentence-transformers folder (or hub id)")
    embed_dtype: Literal["float32", "bfloat16", "float16"] | None = Field(
        None, description="forces the dtype; default by the CPU's flags (bf16 only with AVX512-BF16/AMX)"
    )
    embed_query_backend: Literal["auto", "torch", "onnx"] = Field(
        "auto", description="questions through ONNX Runtime or torch; auto = ONNX where documents are fp32"
    )
    query_cache: int = Field(1024, description="question embeddings kept in memory; 0 (or less) = off")
    max_file_mb: float = Field(50, ge=0, description="the size limit of input files and uploads (MB = 1024²)")
    chroma_url: str | None = Field(None, description="http://host:port of a Chroma server; unset = embedded")
    collection: str | None = Field(None, description="the Chroma collection, instead of the store's own")
    sample_corpus: Path | None = Field(
        None, description="the documents an empty store starts with; unset = data/corpus of this checkout"
    )
    home_province: str = Field("Lạng Sơn", description="documents of other issuers name theirs in answers")
    feedback_max_mb: float = Field(20, ge=0, description="the feedback log stops growing at this size")
    auth: SecretStr | None = Field(None, description="user:password the UI asks for (or --auth-file)")


_parsed: tuple[tuple, Settings] | None = None


def settings() -> Settings:
    """The settings from the environment now; SettingsError names a bad variable. Parsed again only
    when a CHIDAO_* variable changed (parsing takes about a millisecond; answers ask per citation)."""
    global _parsed
    # The defaults depend on the working folder (a relative home) and on HOME (the models' cache).
    now = (
        os.getcwd(),
        os.environ.get("HOME"),
        *sorted((k, v) for k, v in os.environ.items() if k.upper().startswith("CHIDAO_")),
    )
    if _parsed is not None and _parsed[0] == now:
        return _parsed[1]
    s = _parse()
    _parsed = (now, s)
    return s


def _parse() -> Settings:
    try:
        s = Settings()
    except ValidationError as e:
        problems = "; ".join(
            f"CHIDAO_{str(err['loc'][0]).upper()}={err.get('input')!r}: {err['msg']}" for err in e.errors()
        )
        raise SettingsError(problems) from None
    return s.model_copy(update={"home": s.home.expanduser().resolve(), "models": s.models.expanduser()})


def environment(**overrides: str) -> dict[str, str]:
    """This process's environment with CHIDAO_<NAME> overrides, for a child `chidao` process."""
    return {**os.environ, **{f"CHIDAO_{k.upper()}": v for k, v in overrides.items()}}
