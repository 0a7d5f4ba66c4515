"""The documentation that is generated from the code is current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_library_reference_matches_the_code() -> None:
    """docs/API.md lists every public name with its signature and docstring."""
    done = subprocess.run([sys.executable, "tests/tools/api_reference.py", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    import rag

    text = (ROOT / "docs" / "API.md").read_text(encoding="utf-8")
    assert all(f"`{name}" in text for name in rag.__all__)
