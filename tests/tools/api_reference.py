#!/usr/bin/env python3
"""Write docs/API.md, the library's reference, from the public names' signatures and docstrings.

Usage: python tests/tools/api_reference.py [--check]

``--check`` exits 1 when docs/API.md differs from what it would write (tests/test_docs.py runs
it), so the reference cannot drift from the code.
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "API.md"
HEADER = """# Library reference

Generated from the code by `python tests/tools/api_reference.py` (a test fails when this file
is stale). Every name below is importable from `rag`; the README's "Library" section shows them
in use, and `rag.eval` (docs/EVAL.md) scores question sets from code. Types that appear in a
signature but are not listed here (`Intent`, `Evidence`, `IndexData`, `BuildProgress`) are
internal: pass what the public methods return.
"""


def first_paragraph(obj: Any) -> str:
    """The docstring's first paragraph on one line."""
    doc = inspect.getdoc(obj) or ""
    return " ".join(doc.split("\n\n")[0].split())


def signature(obj: Any) -> str:
    try:
        text = str(inspect.signature(obj)).replace("'", "")
    except (TypeError, ValueError):
        return "(...)"
    return text.replace("(self, ", "(").replace("(self)", "()").replace("(cls, ", "(").replace("(cls)", "()")


def members(cls: type) -> list[tuple[str, Any]]:
    """Public methods, class methods and properties defined by ``cls`` itself, in source order."""
    found = []
    for name, raw in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(raw, (classmethod, staticmethod)):
            found.append((name, raw.__func__))
        elif isinstance(raw, property) or inspect.isfunction(raw):
            found.append((name, raw))
    return found


def describe(name: str, obj: Any) -> list[str]:
    """The Markdown lines for one public name."""
    if inspect.isclass(obj) and issubclass(obj, BaseException):
        base = next(b.__name__ for b in obj.__mro__[1:] if b.__module__ != "builtins" or b is Exception)
        return [f"- `{name}` ({base}): {first_paragraph(obj)}"]
    if inspect.isclass(obj) and dataclasses.is_dataclass(obj):
        lines = [f"### `{name}`", "", first_paragraph(obj), "", "| field | type |", "|---|---|"]
        lines += [f"| `{f.name}` | `{str(f.type).replace('|', '&#124;')}` |" for f in dataclasses.fields(obj)]
        extra = [(n, m) for n, m in members(obj) if n not in {f.name for f in dataclasses.fields(obj)}]
        lines += [""] + [f"- `.{n}{'' if isinstance(m, property) else signature(m)}`: {first_paragraph(m)}"
                         for n, m in extra] if extra else []  # fmt: skip
        return [*lines, ""]
    if inspect.isclass(obj):
        lines = [f"### `{name}{signature(obj)}`", "", first_paragraph(obj), ""]
        lines += [f"- `.{n}{'' if isinstance(m, property) else signature(m)}`: {first_paragraph(m)}"
                  for n, m in members(obj)]  # fmt: skip
        return [*lines, ""]
    return [f"### `{name}{signature(obj)}`", "", first_paragraph(obj), ""]


def reference() -> str:
    """The whole of docs/API.md."""
    sys.path.insert(0, str(ROOT))
    import rag

    names = sorted(rag.__all__, key=lambda n: (inspect.isclass(getattr(rag, n)) and issubclass(getattr(rag, n), BaseException), n))
    errors = [n for n in names if inspect.isclass(getattr(rag, n)) and issubclass(getattr(rag, n), BaseException)]
    lines = [HEADER]
    for name in names:
        if name not in errors:
            lines += describe(name, getattr(rag, name))
    lines += ["## Errors", "", "Every error is a `RagError`; catch that to handle them all.", ""]
    for name in errors:
        lines += describe(name, getattr(rag, name))
    return "\n".join(lines).rstrip() + "\n"


def main() -> int:
    text = reference()
    if "--check" in sys.argv[1:]:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.relative_to(ROOT)} is stale: run python tests/tools/api_reference.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
