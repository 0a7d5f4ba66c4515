#!/usr/bin/env python3
"""Sanity-check a regression question set (format: /work/shared/QUESTIONSET.md).

Usage: python tests/tools/check_questions.py [QUESTIONS.yaml]   (default: tests/questions.yaml)

Checks every case and reports every problem, then exits 1 if there were any:
  * the file is a YAML list of mappings; `id` and `question` are present, non-empty strings;
  * ids are unique;
  * `history` (if given) is a list of non-empty strings;
  * `sources` is a list of file names that exist in seeds/;
  * an out-of-scope case (`kind: out-of-scope`, or `sources: []`) has empty sources and no
    gold_quotes / answer_keywords;
  * an answerable case has at least one gold quote and one answer keyword;
  * every gold quote is a single-line, verbatim substring of at least one named source file;
  * every answer keyword is lowercase and a substring of some lowercased gold quote of the case;
  * `split` (if given) is `tune`, `heldout` or `fresh` (written after tuning, never tuned on).
Soft warnings (printed, not failing): gold quotes outside 30-200 characters, more than three
gold quotes (except `kind: list`, one quote per item) or answer keywords, a case without `split`.
Finally prints counts per kind, per split, and per kind x split.

Dependencies: Python standard library + PyYAML.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
DEFAULT_QUESTIONS = ROOT / "tests" / "questions.yaml"
OUT_OF_SCOPE = "out-of-scope"
SPLITS = ("tune", "heldout", "fresh")


def load_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[1:] if text.startswith("\ufeff") else text


def is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def check(cases: object) -> tuple[list[str], list[str], list[dict]]:
    problems: list[str] = []
    warnings: list[str] = []
    good: list[dict] = []
    if not isinstance(cases, list):
        return [f"top level must be a list of cases, got {type(cases).__name__}"], warnings, good

    texts: dict[str, str] = {}

    def source_text(name: str) -> str | None:
        if name not in texts:
            path = SEEDS / name
            texts[name] = load_text(path) if path.is_file() else None  # type: ignore[assignment]
        return texts[name]

    seen: dict[str, int] = {}
    for pos, case in enumerate(cases, start=1):
        if not isinstance(case, dict):
            problems.append(f"case #{pos}: must be a mapping, got {type(case).__name__}")
            continue
        cid = case.get("id")
        label = f"case #{pos} ({cid})" if cid is not None else f"case #{pos}"

        def bad(field: str, msg: str) -> None:
            problems.append(f"{label} field '{field}': {msg}")

        def warn(field: str, msg: str) -> None:
            warnings.append(f"{label} field '{field}': {msg}")

        if not isinstance(cid, str) or not cid.strip():
            bad("id", "required, must be a non-empty string")
        elif cid in seen:
            bad("id", f"duplicate of case #{seen[cid]}")
        else:
            seen[cid] = pos
        question = case.get("question")
        if not isinstance(question, str) or not question.strip():
            bad("question", "required, must be a non-empty string")

        kind = case.get("kind")
        if kind is not None and (not isinstance(kind, str) or not kind.strip()):
            bad("kind", "must be a non-empty string when given")

        split = case.get("split")
        if split is None:
            warn("split", "missing")
        elif split not in SPLITS:
            bad("split", f"must be one of {', '.join(SPLITS)}, got {split!r}")

        history = case.get("history")
        if history is not None and not is_str_list(history):
            bad("history", "must be a list of non-empty strings (earlier user turns, oldest first)")

        sources = case.get("sources", [])
        if sources is None:
            sources = []
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            bad("sources", "must be a list of file names")
            sources = []
        for s in sources:
            if source_text(s) is None:
                bad("sources", f"no such file in {SEEDS}: {s!r}")
        if len(set(sources)) != len(sources):
            bad("sources", "lists a file more than once")

        quotes = case.get("gold_quotes", [])
        quotes = [] if quotes is None else quotes
        if not isinstance(quotes, list) or not all(isinstance(q, str) for q in quotes):
            bad("gold_quotes", "must be a list of strings")
            quotes = []
        keywords = case.get("answer_keywords", [])
        keywords = [] if keywords is None else keywords
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            bad("answer_keywords", "must be a list of strings")
            keywords = []

        out_of_scope = kind == OUT_OF_SCOPE or not sources
        if out_of_scope:
            if sources:
                bad("sources", "an out-of-scope case must have `sources: []`")
            if quotes:
                bad("gold_quotes", "an out-of-scope case must not have gold quotes")
            if keywords:
                bad("answer_keywords", "an out-of-scope case must not have answer keywords")
        else:
            if not quotes:
                bad("gold_quotes", "an answerable case needs at least one gold quote")
            if not keywords:
                bad("answer_keywords", "an answerable case needs at least one keyword")
            # list cases give one quote per list item, so they may need more than three
            if len(quotes) > 3 and kind != "list":
                warn("gold_quotes", f"{len(quotes)} quotes (guideline: 1-3; lists: one per item)")
            if len(keywords) > 3:
                warn("answer_keywords", f"{len(keywords)} keywords (guideline: 1-3)")

        for q in quotes:
            short = q if len(q) <= 70 else q[:67] + "..."
            if not q.strip():
                bad("gold_quotes", "empty quote")
                continue
            if "\n" in q or "\r" in q:
                bad("gold_quotes", f"quote spans a line break: {short!r}")
            named = [source_text(s) for s in sources]
            if sources and not any(t is not None and q in t for t in named):
                hint = ""
                if any(t is not None and " ".join(q.split()) in " ".join(t.split()) for t in named):
                    hint = " (matches only after collapsing whitespace)"
                bad("gold_quotes", f"not a verbatim substring of {', '.join(sources)}{hint}: {short!r}")
            if not 30 <= len(q) <= 200:
                warn("gold_quotes", f"{len(q)} chars (guideline 30-200): {short!r}")

        lowered = [q.lower() for q in quotes]
        for k in keywords:
            if not k.strip():
                bad("answer_keywords", "empty keyword")
                continue
            if k != k.lower():
                bad("answer_keywords", f"must be lowercase: {k!r}")
            if quotes and not any(k.lower() in q for q in lowered):
                bad("answer_keywords", f"{k!r} is not in any (lowercased) gold quote of the case")

        good.append(case)
    return problems, warnings, good


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_QUESTIONS
    try:
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        print(f"cannot load {path}: {exc}", file=sys.stderr)
        return 1

    problems, warnings, good = check(cases)

    kinds = Counter(str(c.get("kind", "(none)")) for c in good)
    splits = Counter(str(c.get("split", "(none)")) for c in good)
    both = Counter((str(c.get("kind", "(none)")), str(c.get("split", "(none)"))) for c in good)
    print(f"{path}: {len(good)} cases")
    width = max([len(k) for k in kinds] + [4])
    print(f"  {'kind':<{width}}  total  " + "  ".join(f"{s:>7}" for s in SPLITS))
    for kind, n in sorted(kinds.items()):
        print(f"  {kind:<{width}}  {n:5d}  " + "  ".join(f"{both[(kind, s)]:7d}" for s in SPLITS))
    print("  per split: " + ", ".join(f"{s}={n}" for s, n in sorted(splits.items())))

    for w in warnings:
        print(f"warning: {w}")
    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
