"""An earlier commit checked out beside the tree, so a benchmark can run "before" and "after"."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def checkout(commit: str, folder: Path) -> str:
    """A `git worktree` of ``commit`` at ``folder``/before-COMMIT (made once); its path."""
    path = folder / f"before-{commit}"
    if not path.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(path), commit], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return str(path)
