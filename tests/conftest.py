"""Shared fixtures: the real model and a real index built once per test session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The project's essays folder (read only: copy it before changing anything)."""
    return SEEDS


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real index of seeds/, built once per session into a temporary folder."""
    from rag import Retriever

    folder = tmp_path_factory.mktemp("index")
    Retriever.build(SEEDS, folder)
    return folder


@pytest.fixture(scope="session")
def retriever(index_dir: Path):
    """A Retriever loaded from the session index (real model, real FAISS)."""
    from rag import Retriever

    return Retriever.load(index_dir)


@pytest.fixture()
def index_copy(index_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the session index that a test may damage."""
    target = tmp_path / "index"
    shutil.copytree(index_dir, target)
    return target
