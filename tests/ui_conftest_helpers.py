"""Helpers shared by the web chat tests (imported explicitly: ``from ui_conftest_helpers import ...``)."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# An essay whose sentences carry HTML and Markdown that must be shown as text, never run.
HOSTILE_ESSAY_NAME = "festival-notes.md"
HOSTILE_ESSAY = """# Festival notes

Kyoto's cherry blossom festival draws crowds of visitors every April.

The festival programme lists <script>window.__xss=1</script> as the opening act of the cherry blossom festival.

Tickets for the cherry blossom festival are sold at [the riverside booth](javascript:window.__xss=2) next to Kyoto station.

Lanterns line the river during the festival nights, and <img src=x onerror="window.__xss=3"> is painted on one of them.

The oldest float in the parade is the *Gion Maru*, which is pulled by **forty** men from the Shijo district.
"""
HOSTILE_AUTHOR = "Test <i>Author</i> & Co"


def free_port() -> int:
    """A loopback port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def launch(demo: Any) -> str:
    """Queue and launch ``demo`` on a free loopback port without blocking; returns its URL."""
    from ui.app import CONCURRENCY, launch_options

    demo.queue(default_concurrency_limit=CONCURRENCY)
    port = free_port()
    demo.launch(
        prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True, **launch_options()
    )
    return f"http://127.0.0.1:{port}/"


def add_hostile_essay(seeds: Path) -> None:
    """Write the hostile essay into a seeds folder, with a hostile author in the sidecar."""
    (seeds / HOSTILE_ESSAY_NAME).write_text(HOSTILE_ESSAY, encoding="utf-8")
    sidecar = seeds / "metadata.json"
    meta = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}
    meta[HOSTILE_ESSAY_NAME] = {"author": HOSTILE_AUTHOR}
    sidecar.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def wait_for(predicate: Any, timeout: float = 10.0, step: float = 0.1) -> Any:
    """Poll ``predicate`` until it returns something truthy; returns it (or the last falsy value)."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(step)
        value = predicate()
    return value
