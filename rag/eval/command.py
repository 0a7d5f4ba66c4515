"""`rag eval QUESTIONS.yaml`: run a question set, print the table, write reports, gate on results.

Exit codes: 0 all gates pass; 1 a case or metric regressed against ``--baseline`` or a
``--fail-under`` floor is not met; 2 a malformed question set, baseline or flag. Problems with
the index itself (missing, built by another model) are ordinary errors (1), as elsewhere.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..settings import Settings
from .baseline import BaselineError, check_floors, compare, load_baseline, parse_floors
from .questionset import QuestionSetError, documents_of, load_question_set
from .render import terminal_table, write_junit, write_markdown
from .runner import run_eval

OK, FAILED, USAGE = 0, 1, 2


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """The `rag eval` subcommand (arguments as defined in rag/cli.py)."""
    from ..cli import open_retriever

    quiet = bool(getattr(args, "quiet", False))
    try:
        floors = parse_floors(getattr(args, "fail_under", None) or [])
        baseline = load_baseline(args.baseline) if getattr(args, "baseline", None) else None
    except BaselineError as exc:
        return _usage(str(exc))
    k = int(getattr(args, "k", None) or settings.k)
    if k < 1:
        return _usage(f"--k must be at least 1, got {k}")

    retriever = open_retriever(settings, progress=not quiet)
    try:
        cases = load_question_set(args.questions, documents_of(retriever))
    except QuestionSetError as exc:
        return _usage(str(exc))

    from ..answer.assistant import Assistant

    bar = _progress_bar(len(cases), disable=quiet)
    try:
        report = run_eval(
            cases, retriever, Assistant(retriever, k=k), k=k, on_case=lambda r: bar.update(1),
            name=str(args.questions),
        )
    finally:
        bar.close()

    print(terminal_table(report))
    written = []
    if getattr(args, "json_path", None):
        report.write_json(args.json_path)
        written.append(args.json_path)
    if getattr(args, "junit", None):
        write_junit(report, args.junit)
        written.append(args.junit)
    if getattr(args, "markdown", None):
        write_markdown(report, args.markdown)
        written.append(args.markdown)
    if written:
        print("wrote " + ", ".join(written))

    problems: list[str] = []
    if baseline is not None:
        comparison = compare(report, baseline)
        lines = comparison.lines()
        if lines:
            print()
            print(f"against baseline {args.baseline}:")
            print("\n".join(lines))
        elif not quiet:
            print(f"no regression against baseline {args.baseline}")
        if comparison.regressed:
            problems.append(
                f"{len(comparison.regressed_cases)} case(s) and {len(comparison.dropped_metrics)}"
                f" metric(s) regressed against {args.baseline}"
            )
    floor_failures = check_floors(floors, report.summary)
    if floor_failures:
        print()
        print("\n".join(floor_failures))
        problems.append(f"{len(floor_failures)} floor(s) not met")
    if problems:
        print(f"rag eval: FAILED: {'; '.join(problems)}", file=sys.stderr)
        return FAILED
    return OK


def _usage(message: str) -> int:
    print(f"rag: error: {message}", file=sys.stderr)
    return USAGE


def _progress_bar(total: int, disable: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc="eval", unit="q", file=sys.stderr, disable=disable, leave=False)

