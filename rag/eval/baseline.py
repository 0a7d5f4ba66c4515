"""Regressions against a saved JSON report, and floors and ceilings given as ``METRIC=VALUE``.

A regression is a case that passed in the baseline and fails now, or a summary metric that
is lower now than in the baseline by more than 1e-9 (``false_refusal_rate``: higher). Latency
and the case count are never compared: latency varies from run to run. A baseline made with
other settings (k, model, essays, reader threshold) is still compared, with a note saying what
differs, since a "regression" may then be the settings' doing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import RagError
from .report import EvalReport
from .scoring import LATENCY_KEYS, SUMMARY_KEYS

TOLERANCE = 1e-9
LOWER_IS_BETTER = frozenset({"false_refusal_rate"})
COMPARED = tuple(k for k in SUMMARY_KEYS if k not in LATENCY_KEYS and k != "cases")
# Metrics a floor (--fail-under) may name: higher is better for all of these; a ceiling
# (--fail-over) names one where lower is better.
FLOOR_METRICS = tuple(k for k in SUMMARY_KEYS if k not in LATENCY_KEYS and k not in LOWER_IS_BETTER)
CEILING_METRICS = tuple(k for k in SUMMARY_KEYS if k in LATENCY_KEYS or k in LOWER_IS_BETTER)
SETTINGS = ("k", "model", "corpus", "reader_threshold")  # meta a comparison notes when it differs


class BaselineError(RagError, ValueError):
    """The baseline report cannot be read, or a gate (--fail-under, --fail-over) is malformed."""


@dataclass(frozen=True)
class CaseRegression:
    """A case that passed in the baseline and fails now."""

    id: str
    question: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class MetricChange:
    """A summary metric's value in the baseline and now."""

    metric: str
    before: float
    after: float


@dataclass(frozen=True)
class Comparison:
    """The differences between a report and its baseline."""

    regressed_cases: tuple[CaseRegression, ...]
    dropped_metrics: tuple[MetricChange, ...]
    fixed_cases: tuple[str, ...]  # failed in the baseline, pass now (refresh the baseline)
    missing_cases: tuple[str, ...]  # in the baseline, not in this run
    settings_changed: tuple[str, ...] = ()  # "k: 5 in the baseline, 1 now": a note, not a regression

    @property
    def regressed(self) -> bool:
        return bool(self.regressed_cases or self.dropped_metrics)

    def lines(self) -> list[str]:
        """Human-readable lines, regressions first."""
        out = [f"REGRESSION {c.id}: passed in the baseline, fails now: {'; '.join(c.reasons)}"
               for c in self.regressed_cases]
        out += [f"REGRESSION {m.metric}: {m.before:.6g} in the baseline, {m.after:.6g} now"
                for m in self.dropped_metrics]
        if self.fixed_cases:
            out.append("now passing (failed in the baseline): " + ", ".join(self.fixed_cases))
        if self.missing_cases:
            out.append("in the baseline but not in this run: " + ", ".join(self.missing_cases))
        out += [f"NOTE the baseline was made with other settings: {change}" for change in self.settings_changed]
        return out


def load_baseline(path: str | Path) -> dict[str, Any]:
    """An earlier JSON report as plain data; BaselineError if unreadable or not a report."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise BaselineError(f"baseline {path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("summary"), dict) or not isinstance(
        data.get("cases"), list
    ):
        raise BaselineError(f"baseline {path} is not a `rag eval --json` report (no summary/cases)")
    return data


def compare(report: EvalReport, baseline: Mapping[str, Any]) -> Comparison:
    """Cases that passed then and fail now, and summary metrics that got worse."""
    before = {
        str(c.get("id")): bool(c.get("passed"))
        for c in baseline.get("cases", [])
        if isinstance(c, dict)
    }
    now = {r.case.id: r for r in report.cases}
    regressed = tuple(
        CaseRegression(r.case.id, r.case.question, r.reasons)
        for r in report.cases
        if before.get(r.case.id) is True and not r.passed
    )
    fixed = tuple(r.case.id for r in report.cases if before.get(r.case.id) is False and r.passed)
    missing = tuple(case_id for case_id in before if case_id not in now)
    dropped = []
    old_summary = baseline.get("summary", {})
    for key in COMPARED:
        old, new = _number(old_summary.get(key)), _number(report.summary.get(key))
        if old is None or new is None:
            continue
        worse = new - old > TOLERANCE if key in LOWER_IS_BETTER else old - new > TOLERANCE
        if worse:
            dropped.append(MetricChange(key, old, new))
    return Comparison(regressed, tuple(dropped), fixed, missing, _settings_changed(baseline.get("meta"), report.meta))


def _settings_changed(before: object, now: Mapping[str, Any]) -> tuple[str, ...]:
    """What differs between the baseline's settings and this run's (only what both recorded)."""
    if not isinstance(before, Mapping):
        return ()
    changes = []
    for key in SETTINGS:
        old, new = before.get(key), now.get(key)
        if old is not None and new is not None and old != new:
            what = "the essays differ" if key == "corpus" else f"{old} in the baseline, {new} now"
            changes.append(f"{key}: {what}")
    old_docs, new_docs = before.get("documents"), now.get("documents")
    if isinstance(old_docs, list) and isinstance(new_docs, list) and old_docs != new_docs:
        added, dropped = sorted(set(new_docs) - set(old_docs)), sorted(set(old_docs) - set(new_docs))
        changes.append("documents: " + "; ".join(
            part for part in (f"added {', '.join(added)}" if added else "", f"gone {', '.join(dropped)}" if dropped else "") if part
        ))  # fmt: skip
    return tuple(changes)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return None
    return float(value)


# -- floors and ceilings ------------------------------------------------------------------
@dataclass(frozen=True)
class Floor:
    """``--fail-under METRIC=VALUE``: the summary metric must be at least ``value``; with
    ``ceiling`` (``--fail-over``), at most ``value``."""

    metric: str
    value: float
    ceiling: bool = False

    def failure(self, summary: Mapping[str, Any]) -> str | None:
        """Why the gate is not met, or None when it is."""
        sign = "<=" if self.ceiling else ">="
        actual = _number(summary.get(self.metric))
        if actual is None:
            return f"{self.label} {self.metric}{sign}{self.value:g} not met: no case in the set measures it"
        if (actual - TOLERANCE > self.value) if self.ceiling else (actual + TOLERANCE < self.value):
            return f"{self.label} {self.metric}{sign}{self.value:g} not met: {actual:.6g}"
        return None

    @property
    def label(self) -> str:
        return "CEILING" if self.ceiling else "FLOOR"

    def __str__(self) -> str:
        return f"{self.metric}{'<=' if self.ceiling else '>='}{self.value:g}"


def parse_floors(specs: Sequence[str], ceiling: bool = False) -> tuple[Floor, ...]:
    """Parse ``METRIC=VALUE`` strings (floors, or ceilings); BaselineError naming the bad one (exit code 2)."""
    flag, allowed = ("--fail-over", CEILING_METRICS) if ceiling else ("--fail-under", FLOOR_METRICS)
    example = "false_refusal_rate=0.05" if ceiling else "hit@5=0.95"
    floors = []
    for spec in specs:
        metric, sep, raw = spec.partition("=")
        metric = metric.strip()
        if not sep or not metric or not raw.strip():
            raise BaselineError(f"{flag} {spec!r}: expected METRIC=VALUE, e.g. {example}")
        if metric not in allowed:
            other = "--fail-under" if ceiling else "--fail-over"
            hint = f" (use {other} for it)" if metric in FLOOR_METRICS + CEILING_METRICS else ""
            raise BaselineError(f"{flag} {spec!r}: unknown metric {metric!r}{hint}; choose from {', '.join(allowed)}")
        try:
            value = float(raw)
        except ValueError:
            raise BaselineError(f"{flag} {spec!r}: {raw.strip()!r} is not a number") from None
        if math.isnan(value):
            raise BaselineError(f"{flag} {spec!r}: the value must be a number")
        if metric in LATENCY_KEYS and value < 0:
            raise BaselineError(f"{flag} {spec!r}: a latency in milliseconds cannot be negative")
        if metric not in LATENCY_KEYS and metric != "cases" and not 0 <= value <= 1:
            raise BaselineError(f"{flag} {spec!r}: {metric} is a share from 0 to 1, so {value:g} can never be met or never fail")
        floors.append(Floor(metric, value, ceiling))
    return tuple(floors)


def check_floors(floors: Sequence[Floor], summary: Mapping[str, Any]) -> list[str]:
    """A message per floor or ceiling that is not met."""
    return [msg for f in floors if (msg := f.failure(summary)) is not None]
