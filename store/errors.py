"""The store's failures, each one line a user can act on (the CLI maps them to exit codes)."""

from __future__ import annotations


class StoreDamaged(ValueError):
    """The store's own files cannot be read; `chidao doctor --repair` mends them."""


class StoreConflict(ValueError):
    """The Chroma collection asked for belongs to another chidao store: using it would mix or delete its data."""


class StoreUnavailable(RuntimeError):
    """The Chroma server cannot be reached or failed; nothing was changed by the failed call."""
