"""`rag eval QUESTIONS.yaml`: run a question set, print the table, write reports, gate on results.

Exit codes: 0 all gates pass; 1 a case or metric regressed against ``--baseline``, or a
``--fail-under`` floor or ``--fail-over`` ceiling is not met; 2 a malformed question set,
baseline or flag. Problems with
the index itself (missing, built by another model) are ordinary errors (1), as elsewhere.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..settings import Settings
from .baseline import BaselineError, Floor, check_floors, compare, load_baseline, parse_floors
from .questionset import QuestionSetError, documents_of, parse_question_set, read_question_file
from .render import terminal_table, write_junit, write_markdown
from .report import EvalReport
from .runner import run_eval

OK, FAILED, USAGE = 0, 1, 2


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """The `rag eval` subcommand (arguments as defined in rag/cli.py)."""
    from ..cli import open_retriever

    quiet = bool(getattr(args, "quiet", False))
    try:
        floors = parse_floors(getattr(args, "fail_under", None) or [])
        floors += parse_floors(getattr(args, "fail_over", None) or [], ceiling=True)
        baseline = load_baseline(args.baseline) if getattr(args, "baseline", None) else None
    except BaselineError as exc:
        return _usage(str(exc))
    k = int(getattr(args, "k", None) or settings.k)
    if k < 1:
        return _usage(f"--k must be at least 1, got {k}")
    baseline_path = getattr(args, "baseline", None)
    for flag, attr in (("--json", "json_path"), ("--junit", "junit"), ("--markdown", "markdown")):
        target = getattr(args, attr, None)
        if target and not Path(target).resolve().parent.is_dir():
            return _usage(f"{flag} {target}: the folder {Path(target).resolve().parent} does not exist; create it first")
        if target and baseline_path and Path(target).resolve() == Path(baseline_path).resolve():
            return _usage(f"{flag} {target} would overwrite the baseline this run is compared against; write the"
                          " report elsewhere and copy it over the baseline once you accept it")
    origin = str(args.questions)
    try:  # the format first, before the model loads; then sources and quotes against the index
        data = read_question_file(args.questions)
        try:
            parse_question_set(data, None, origin)
        except QuestionSetError:  # every problem in one run: the corpus checks too, from the essays
            parse_question_set(data, _essays(settings.seeds_dir), origin)
            raise
        retriever = open_retriever(settings, progress=not quiet)
        cases = parse_question_set(data, documents_of(retriever), origin)
    except QuestionSetError as exc:
        return _usage(str(exc))

    from ..answer.assistant import Assistant

    bar = _progress_bar(len(cases), disable=quiet)
    try:
        report = run_eval(
            cases, retriever, Assistant(retriever, k=k), k=k, on_case=lambda r: bar.update(1),
            name=origin,
        )
    finally:
        bar.close()

    print(terminal_table(report))
    _write_reports(report, args)
    problems = _gate(report, args, baseline, floors)
    if problems:
        print(f"rag eval: FAILED: {'; '.join(problems)}", file=sys.stderr)
        return FAILED
    return OK


def _essays(seeds_dir: str | Path) -> dict[str, str] | None:
    """``{source: text}`` read straight from the essays folder (no model), or None without one."""
    from ..errors import RagError
    from ..ingest.load import load_corpus

    try:
        return {d.source: d.text for d in load_corpus(seeds_dir)}
    except RagError:
        return None


def _write_reports(report: EvalReport, args: argparse.Namespace) -> None:
    """Write the --json, --junit and --markdown files that were asked for."""
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


def _gate(
    report: EvalReport, args: argparse.Namespace, baseline: dict[str, Any] | None, floors: tuple[Floor, ...]
) -> list[str]:
    """Print the baseline comparison and floor checks; one line per gate that failed."""
    problems: list[str] = []
    if baseline is not None:
        comparison = compare(report, baseline)
        print()
        print(f"against baseline {args.baseline}:")
        print("\n".join(comparison.lines()) if comparison.lines() else "no regression")
        if comparison.regressed:
            problems.append(
                f"{len(comparison.regressed_cases)} case(s) and {len(comparison.dropped_metrics)}"
                f" metric(s) regressed against {args.baseline}"
            )
    failures = check_floors(floors, report.summary)
    if floors:
        print()
        print("\n".join(failures) if failures else f"gates met: {', '.join(str(f) for f in floors)}")
    if failures:
        problems.append(f"{len(failures)} floor(s) or ceiling(s) not met")
    return problems


def _usage(message: str) -> int:
    print(f"rag: error: {message}", file=sys.stderr)
    return USAGE


def _progress_bar(total: int, disable: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc="eval", unit="q", file=sys.stderr, disable=True if disable else None, leave=False)

