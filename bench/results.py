"""Keep bench/RESULTS.md up to date: each benchmark rewrites only its own section."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
HEADER = (
    "# Benchmark results\n\n"
    "Measured on the project machine (2 cores, 24 GiB, no GPU). Every figure is compared with a\n"
    "baseline measured in the same run; rerun with `make bench` (both) or the command in each section.\n"
)


def write_section(name: str, markdown: str, path: Path = RESULTS) -> None:
    """Replace (or append) the section between ``<!-- name -->`` markers."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    block = f"<!-- {name} -->\n{markdown.strip()}\n<!-- /{name} -->"
    pattern = re.compile(rf"<!-- {re.escape(name)} -->.*?<!-- /{re.escape(name)} -->", re.DOTALL)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
