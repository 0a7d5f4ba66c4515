"""Essays of every format: the mixed-format blind set before and after, and extraction speed.

tests/blind3 holds 6 essays (Markdown, plain text, HTML, PDF, DOCX; the PDF and DOCX rendered
by tests/blind3/make_essays.py) and 60 cases written by a helper who never saw the code.
"Before" is commit BEFORE (Markdown and plain text only, headings and markers quoted as
sentences), run from a git worktree: it cannot read the HTML, PDF and DOCX essays, so it is
asked only the cases of the other essays, and the cases it cannot read count as failed.
Only summary figures are printed and written; no case is shown. tests/mixed_dev (tuned on)
is run after only. Also: load time per format (extraction, structure, sentences), the same
run, as a ratio to Markdown.

    .venv/bin/python bench/formats.py        (rewrites its section of bench/RESULTS.md)
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
BEFORE = "b15883b"  # the last commit before Markdown structure and the PDF, HTML and DOCX readers
TEXT_FORMATS = (".md", ".txt")
SETS = {"blind3": ROOT / "tests" / "blind3", "mixed_dev": ROOT / "tests" / "mixed_dev"}


def render(name: str) -> Path:
    """The set's essays, rendered into bench/out (PDF and DOCX made by its make_essays.py)."""
    folder = OUT / f"{name}-essays"
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([sys.executable, str(SETS[name] / "make_essays.py"), str(folder)], check=True)
    return folder


def evaluate(questions: Path, seeds: Path, index: Path, code: str | None = None) -> dict[str, Any]:
    """`rag eval` of ``questions`` (with the code at ``code`` on PYTHONPATH), as its JSON report."""
    report = index.with_suffix(".json")
    env = {**os.environ, "PYTHONPATH": code} if code else dict(os.environ)
    cmd = [sys.executable, "-m", "rag.cli", "-q", "eval", str(questions), "--seeds-dir", str(seeds),
           "--index-dir", str(index), "--json", str(report)]  # fmt: skip
    subprocess.run(cmd, cwd=code or ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return dict(json.loads(report.read_text()))


def by_format(report: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """(passed, answerable) per essay format, from a report's cases."""
    out: dict[str, tuple[int, int]] = {}
    for case in report["cases"]:
        if not case["sources"]:
            continue
        fmt = Path(case["sources"][0]).suffix
        passed, total = out.get(fmt, (0, 0))
        out[fmt] = (passed + bool(case["passed"]), total + 1)
    return out


def before_figures(essays: Path) -> dict[str, Any]:
    """The old code on the cases it can read; unreadable essays' cases count as failed."""
    cases = yaml.safe_load((SETS["blind3"] / "questions.yaml").read_text(encoding="utf-8"))
    readable = [c for c in cases if all(s.endswith(TEXT_FORMATS) for s in c.get("sources") or [])]
    folder = Path(tempfile.mkdtemp(dir=OUT, prefix="blind3-text-"))
    seeds = folder / "essays"
    seeds.mkdir()
    for path in essays.iterdir():
        if path.suffix in TEXT_FORMATS:
            shutil.copy(path, seeds / path.name)
    questions = folder / "questions.yaml"
    questions.write_text(yaml.safe_dump(readable, allow_unicode=True), encoding="utf-8")
    from bench.checkout import checkout

    report = evaluate(questions, seeds, folder / "index", checkout(BEFORE, OUT))
    answerable = sum(1 for c in cases if c.get("sources"))
    passed = sum(1 for c in report["cases"] if c["sources"] and c["passed"])
    summary = report["summary"]
    return {"answer_pass": passed / answerable, "readable_answer_pass": summary["answer_pass"],
            "readable": sum(1 for c in readable if c.get("sources")), "answerable": answerable,
            "refusal_accuracy": summary["refusal_accuracy"], "false_refusal_rate": summary["false_refusal_rate"],
            "by_format": by_format(report)}  # fmt: skip


def load_times(essays: Path, repeats: int = 5) -> dict[str, float]:
    """Median ms to load one essay of each format and split it into sentences (cold caches)."""
    from rag.ingest.chunk import document_sentences
    from rag.ingest.load import read_document
    from rag.ingest.structure import blocks

    times = {}
    for path in sorted(essays.iterdir()):
        if path.name.startswith("."):
            continue
        runs = []
        for _ in range(repeats):
            blocks.cache_clear()
            started = time.perf_counter()
            doc = read_document(path, essays, {})
            document_sentences([doc] if doc else [])
            runs.append((time.perf_counter() - started) * 1000)
        times[path.suffix] = statistics.median(runs)
    return times


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    essays = render("blind3")
    after = evaluate(SETS["blind3"] / "questions.yaml", essays, OUT / "blind3-index")
    before = before_figures(essays)
    dev = None
    if (SETS["mixed_dev"] / "questions.yaml").exists():
        dev = evaluate(SETS["mixed_dev"] / "questions.yaml", render("mixed_dev"), OUT / "mixed_dev-index")
    result = {"after": after["summary"], "after_by_format": by_format(after), "before": before,
              "dev": dev["summary"] if dev else None, "dev_by_format": by_format(dev) if dev else None,
              "load_ms": load_times(essays)}  # fmt: skip
    print(json.dumps({k: v for k, v in result.items()}, indent=1, default=str))
    write(result)


def write(r: dict[str, Any]) -> None:
    from bench.results import write_section

    a, b = r["after"], r["before"]

    def share(pair: tuple[int, int] | list[int] | None) -> str:
        return f"{pair[0]}/{pair[1]}" if pair else "0 (unreadable)"

    lines = [
        "## Formats: essays in Markdown, text, HTML, PDF and Word",
        "",
        "`python bench/formats.py`. `tests/blind3`: 6 essays (one each of HTML, PDF and DOCX, two",
        "Markdown, one plain text) and 60 cases (49 answerable, 11 out of scope of which 6 near",
        "misses), written by a helper who never saw the code, before anything was tuned. Before is",
        f"commit {BEFORE}, which reads Markdown and text only: it is asked the {b['readable']} cases of",
        "those essays, and the cases of the others count as failed. Only these summary lines",
        "are ever read.",
        "",
        "| | before | after |",
        "|---|---|---|",
        f"| answer pass, all {b['answerable']} answerable cases | {b['answer_pass']:.3f} | **{a['answer_pass']:.3f}** |",
        f"| answer pass, the {b['readable']} cases of the Markdown and text essays | "
        f"{b['readable_answer_pass']:.3f} | **{_subset(r['after_by_format'], TEXT_FORMATS):.3f}** |",
        f"| false refusals | {b['false_refusal_rate']:.3f} | {a['false_refusal_rate']:.3f} |",
        f"| refusal accuracy (11 out of scope) | {b['refusal_accuracy']:.3f} (fewer essays indexed) | "
        f"{a['refusal_accuracy']:.3f} |",
        f"| citation validity | | {a['citation_validity']:.3f} |",
        "",
        "Answer pass by the format of the essay that answers (passed / cases):",
        "",
        "| format | before | after | load ms (median of 5) | ratio to .md |",
        "|---|---|---|---|---|",
    ]
    md = r["load_ms"].get(".md") or 1.0
    for fmt in (".md", ".txt", ".html", ".pdf", ".docx"):
        ms = r["load_ms"].get(fmt)
        lines.append(f"| {fmt} | {share(b['by_format'].get(fmt))} | {share(r['after_by_format'].get(fmt))} | "
                     f"{ms:.1f} | {ms / md:.1f}× |" if ms else f"| {fmt} | | | | |")  # fmt: skip
    if r["dev"]:
        d = r["dev"]
        lines += ["", "`tests/mixed_dev` (written by a helper for development and tuned on; after only): "
                  f"answer pass {d['answer_pass']:.3f}, refusal accuracy {d['refusal_accuracy']:.3f}, "
                  f"false refusals {d['false_refusal_rate']:.3f}; by format "
                  + ", ".join(f"{k} {share(v)}" for k, v in sorted(r['dev_by_format'].items())) + "."]  # fmt: skip
    write_section("formats", "\n".join(lines))


def _subset(table: dict[str, Any], formats: tuple[str, ...]) -> float:
    passed = sum(table[f][0] for f in formats if f in table)
    total = sum(table[f][1] for f in formats if f in table)
    return passed / total if total else 0.0


if __name__ == "__main__":
    main()
