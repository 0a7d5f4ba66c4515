"""Readable and CI forms of a report: JUnit XML, Markdown, and the terminal table.

JUnit has one ``<testcase>`` per question (``classname`` = question-set name + kind, ``name`` =
case id); a failing case carries a ``<failure>`` whose message is its reasons. Text is escaped
by xml.etree, and characters XML cannot hold at all are dropped.
"""

from __future__ import annotations

import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from .report import EvalReport, Metrics, write_text
from .scoring import LATENCY_KEYS, SUMMARY_KEYS, CaseResult

# Short column labels for the terminal (Markdown uses the full metric names).
SHORT = {
    "cases": "n",
    "quote_recall@5": "qrec@5",
    "answer_pass": "pass",
    "refusal_accuracy": "refuse",
    "false_refusal_rate": "falseref",
    "citation_validity": "cite",
    "latency_ms_p50": "p50ms",
    "latency_ms_p95": "p95ms",
}
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def fmt(key: str, value: float | int | None) -> str:
    """A metric value for a table: fractions to 3 places, latency in ms to 1, ``-`` for none."""
    if value is None:
        return "-"
    if key == "cases":
        return str(value)
    if key in LATENCY_KEYS:
        return f"{value:.1f}"
    return f"{value:.3f}"


def _groups(report: EvalReport) -> list[tuple[str, Metrics]]:
    rows: list[tuple[str, Metrics]] = [("overall", report.summary)]
    rows += [(f"kind {k}", m) for k, m in report.by_kind.items()]
    rows += [(f"split {k}", m) for k, m in report.by_split.items()]
    return rows


def _title(report: EvalReport) -> str:
    return str(report.meta.get("questions", "question set"))


# -- JUnit ---------------------------------------------------------------------------------
def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def junit_xml(report: EvalReport) -> str:
    """JUnit XML: one testsuite, one testcase per question, failures with their reasons."""
    title = _title(report)
    suite_name = Path(title).stem or "questions"
    failures = len(report.failures)
    total_s = sum(r.latency_ms for r in report.cases) / 1000.0
    root = ET.Element(
        "testsuites", name="rag eval", tests=str(len(report.cases)), failures=str(failures),
        errors="0", time=f"{total_s:.3f}",
    )
    suite = ET.SubElement(
        root, "testsuite", name=f"rag eval {_xml_text(title)}", tests=str(len(report.cases)),
        failures=str(failures), errors="0", skipped="0", time=f"{total_s:.3f}",
    )
    props = ET.SubElement(suite, "properties")
    for key in SUMMARY_KEYS:
        ET.SubElement(props, "property", name=key, value=fmt(key, report.summary.get(key)))
    for r in report.cases:
        case = ET.SubElement(
            suite, "testcase", classname=f"{suite_name}.{_xml_text(r.case.kind or 'case')}",
            name=_xml_text(r.case.id), time=f"{r.latency_ms / 1000.0:.3f}",
        )
        if not r.passed:
            failure = ET.SubElement(case, "failure", message=_xml_text("; ".join(r.reasons)), type="EvalFailure")
            failure.text = _xml_text(_failure_details(r))
        out = ET.SubElement(case, "system-out")
        out.text = _xml_text(f"Q: {r.case.question}\nA: {r.answer_text}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _failure_details(r: CaseResult) -> str:
    lines = [f"question: {r.case.question}"]
    lines += [f"history: {turn}" for turn in r.case.history]
    lines += [f"reason: {reason}" for reason in r.reasons]
    lines.append(f"answer: {r.answer_text}")
    lines += [f"passage {p.rank}: {p.source} {p.start}:{p.end} score {p.score:.3f}" for p in r.passages]
    return "\n".join(lines)


def write_junit(report: EvalReport, path: str | Path) -> None:
    write_text(path, junit_xml(report))


# -- Markdown ------------------------------------------------------------------------------
def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def markdown(report: EvalReport) -> str:
    """A Markdown report: metrics table per group, failing cases with reasons, all cases."""
    failing = report.failures
    lines = [
        f"# rag eval: {_cell(_title(report))}",
        "",
        f"{len(report.cases)} cases, {len(report.cases) - len(failing)} passing, {len(failing)} failing.",
        "",
        "## Summary",
        "",
        "| group | " + " | ".join(SUMMARY_KEYS) + " |",
        "|---" * (len(SUMMARY_KEYS) + 1) + "|",
    ]
    for name, metrics in _groups(report):
        values = " | ".join(fmt(k, metrics.get(k)) for k in SUMMARY_KEYS)
        lines.append(f"| {'**overall**' if name == 'overall' else _cell(name)} | {values} |")
    lines += ["", "## Failing cases", ""]
    if failing:
        lines += ["| id | kind | question | reasons |", "|---|---|---|---|"]
        for r in failing:
            lines.append(
                f"| {_cell(r.case.id)} | {_cell(r.case.kind or '')} | {_cell(r.case.question)}"
                f" | {_cell('; '.join(r.reasons))} |"
            )
    else:
        lines.append("None.")
    lines += [
        "",
        "## All cases",
        "",
        "| id | kind | split | result | first gold rank | answer |",
        "|---|---|---|---|---|---|",
    ]
    for r in report.cases:
        rank = "-" if r.retrieval is None or r.retrieval.first_rank is None else str(r.retrieval.first_rank)
        result = "pass" if r.passed else "**FAIL**"
        answer = "(refused)" if r.refused else _short(r.answer_text, 100)
        lines.append(
            f"| {_cell(r.case.id)} | {_cell(r.case.kind or '')} | {_cell(r.case.split or '')}"
            f" | {result} | {rank} | {_cell(answer)} |"
        )
    return "\n".join(lines) + "\n"


def write_markdown(report: EvalReport, path: str | Path) -> None:
    write_text(path, markdown(report))


# -- terminal ------------------------------------------------------------------------------
def terminal_table(report: EvalReport, width: int = 100) -> str:
    """Plain-text table (overall, per kind, per split) and the failing cases with reasons."""
    rows = _groups(report)
    labels = [SHORT.get(k, k) for k in SUMMARY_KEYS]
    first = max(len(name) for name, _ in rows)
    widths = [max(len(label), 5) for label in labels]
    out = ["  ".join(["group".ljust(first)] + [label.rjust(w) for label, w in zip(labels, widths)])]
    previous = "overall"
    for name, metrics in rows:
        section = name.split(" ", 1)[0]
        if section != previous:
            out.append("")  # a blank line between overall, the kinds and the splits
            previous = section
        cells = [fmt(k, metrics.get(k)).rjust(w) for k, w in zip(SUMMARY_KEYS, widths)]
        out.append("  ".join([name.ljust(first)] + cells))
    out.append(
        "n=cases  qrec@5=quote recall@5  pass=answer pass  refuse=refusal accuracy"
        "  falseref=false-refusal rate  cite=citation validity"
    )
    hedging = hedging_line(report.cases)
    if hedging:
        out.append(hedging)
    failing = report.failures
    out.append("")
    out.append(f"{len(report.cases) - len(failing)}/{len(report.cases)} cases pass" + (":" if failing else "."))
    for r in failing:
        out.append(f"FAIL {r.case.id} [{r.case.kind or '-'}] {_short(r.case.question, width - 20)}")
        for reason in r.reasons:
            out.append(textwrap.fill(reason, width, initial_indent="    - ", subsequent_indent="      "))
        if r.answer_text:
            out.append(f"    answer: {_short(r.answer_text, width - 12)}")
    return "\n".join(out)


def hedging_line(results: Sequence[CaseResult]) -> str:
    """How often the plain answers that hedge pass against the other plain answers (those the
    reader chose, with a confidence; a near miss answered never passes): whether the hedge tells
    a doubtful answer on this set. Empty when none hedges."""
    read = [r for r in results if not r.refused and r.confidence is not None]
    hedged = [r for r in read if r.hedged]
    if not hedged:
        return ""
    sure = [r for r in read if not r.hedged]
    return (f"hedged {len(hedged)} of {len(read)} plain answers: {sum(r.passed for r in hedged)} of them pass,"
            f" {sum(r.passed for r in sure)} of the other {len(sure)}")


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: max(limit - 3, 1)] + "..."

