"""`rag eval`: question-set validation, scoring rules, reports, baselines, floors, the CLI.

Scoring tests build Passage/Answer values by hand (pure functions, no model); the end-to-end
tests run the real `rag eval` command on tests/questions.yaml against the session index.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from rag.eval import (
    SUMMARY_KEYS,
    BaselineError,
    Case,
    QuestionSetError,
    build_report,
    check_floors,
    compare,
    evaluate_case,
    junit_xml,
    load_question_set,
    markdown,
    parse_floors,
    parse_question_set,
    terminal_table,
)
from rag.answer.assistant import HEDGE
from rag.eval.questionset import documents_of
from rag.eval.render import hedging_line
from rag.eval.scoring import (
    CaseResult,
    answer_reasons,
    check_citations,
    covers,
    missing_keywords,
    passage_views,
    quote_spans,
    score_retrieval,
    summarize,
)
from rag.settings import settings_from_env
from rag.types import Answer, Citation, Passage

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "questions.yaml"

A_TEXT = "Alpha beta gamma. The quick brown fox jumps over the lazy dog. Delta epsilon. " * 2
B_TEXT = "Tokyo and Seoul met in November.\nThe summit was held in   Gyeongju, far away."
DOCS = {"a.txt": A_TEXT, "b.txt": B_TEXT}


# -- helpers -------------------------------------------------------------------------------
def passage(source: str, start: int, end: int, score: float = 0.5) -> Passage:
    text = DOCS[source][start:end]
    return Passage(text, source, source, None, start, end, score, text, start, end)


def cite(number: int, source: str, start: int, end: int, quote: str | None = None) -> Citation:
    text = DOCS[source][start:end]
    return Citation(number, passage(source, start, end), text if quote is None else quote, start, end)


def answer(text: str, *citations: Citation, refused: bool = False) -> Answer:
    return Answer(text, tuple(citations), refused, question="q", search_query="q")


def result(case: Case, ans: Answer, passages: list[Passage] = (), latency: float = 10.0) -> CaseResult:
    retrieval = score_retrieval(list(passages), case, DOCS)
    checks = check_citations(ans, DOCS)
    return CaseResult(
        case, passage_views(list(passages), retrieval), retrieval, ans.text, case.question, ans.refused,
        checks, tuple(answer_reasons(ans, case, checks)), latency, ans.hedged, ans.confidence,
    )


FOX = Case("f1", "what does the fox do?", kind="factoid", split="tune", sources=("a.txt",),
           gold_quotes=("quick brown fox jumps",), answer_keywords=("brown fox",))
SUMMIT = Case("s1", "where was the summit?", kind="factoid", split="heldout", sources=("b.txt",),
              gold_quotes=("held in   Gyeongju",), answer_keywords=("held in gyeongju",))
OUT = Case("o1", "capital of france?", kind="out-of-scope", split="tune")


# -- loading and validation ----------------------------------------------------------------
def load_text(tmp_path: Path, text: str) -> tuple[Case, ...]:
    path = tmp_path / "set.yaml"
    path.write_text(text, encoding="utf-8")
    return load_question_set(path, DOCS)


def test_valid_set_loads_and_keeps_labels(tmp_path: Path) -> None:
    cases = load_text(tmp_path, """
- id: f1
  question: what does the fox do?
  kind: factoid
  split: heldout
  history: [tell me about animals]
  sources: [a.txt]
  gold_quotes: ["quick brown fox jumps"]
  answer_keywords: ["brown fox"]
- id: o1
  question: capital of france?
  sources: []
""")
    assert cases[0] == Case("f1", "what does the fox do?", "factoid", "heldout", ("tell me about animals",),
                            ("a.txt",), ("quick brown fox jumps",), ("brown fox",))
    assert cases[1].out_of_scope and cases[1].kind is None


MALFORMED = {
    "not a list": ("id: q1\nquestion: hi\n", ["top level must be a list"]),
    "empty file": ("", ["top level must be a list", "empty file"]),
    "case not a mapping": ("- id: q1\n  question: hi\n- just a string\n", ["case #2", "mapping"]),
    "missing id": ("- question: hi\n", ["case #1", "'id'", "missing"]),
    "missing question": ("- id: q7\n", ["case 'q7'", "'question'", "missing"]),
    "mistyped key": ("- id: q8\n  question: hi\n  source: [a.txt]\n", ["case 'q8'", "'source'", "did you mean 'sources'"]),
    "duplicate id": ("- id: q1\n  question: a\n- id: q1\n  question: b\n", ["case 'q1' (#2)", "'id'", "duplicate"]),
    "id not a string": ("- id: 7\n  question: hi\n", ["case #1", "'id'", "string"]),
    "question not a string": ("- id: q1\n  question: [a, b]\n", ["case 'q1'", "'question'", "string"]),
    "sources not a list": ("- id: q1\n  question: hi\n  sources: a.txt\n", ["case 'q1'", "'sources'", "list"]),
    "history not a list": ("- id: q1\n  question: hi\n  history: earlier\n", ["case 'q1'", "'history'", "list"]),
    "quote not a string": (
        "- id: q1\n  question: hi\n  sources: [a.txt]\n  gold_quotes: [3]\n", ["case 'q1'", "'gold_quotes'", "entry 1"]
    ),
    "keywords not a list": (
        "- id: q1\n  question: hi\n  sources: [a.txt]\n  answer_keywords: fox\n", ["case 'q1'", "'answer_keywords'"]
    ),
    "kind not a string": ("- id: q1\n  question: hi\n  kind: [a]\n", ["case 'q1'", "'kind'"]),
    "unknown source": (
        "- id: q1\n  question: hi\n  sources: [c.txt]\n", ["case 'q1'", "'sources'", "'c.txt'", "a.txt, b.txt"]
    ),
    "quote not in source": (
        "- id: q9\n  question: hi\n  sources: [a.txt]\n  gold_quotes: [\"the slow fox\"]\n",
        ["case 'q9'", "'gold_quotes'", "not a verbatim substring of a.txt"],
    ),
    "quote only in another source": (
        "- id: q9\n  question: hi\n  sources: [b.txt]\n  gold_quotes: [\"quick brown fox\"]\n",
        ["case 'q9'", "'gold_quotes'", "b.txt"],
    ),
    "quote differs in whitespace": (
        "- id: q9\n  question: hi\n  sources: [b.txt]\n  gold_quotes: [\"held in Gyeongju\"]\n",
        ["case 'q9'", "'gold_quotes'", "collapsing whitespace"],
    ),
    "quotes without sources": (
        "- id: q9\n  question: hi\n  gold_quotes: [\"quick brown fox\"]\n", ["case 'q9'", "'gold_quotes'"]
    ),
    "keywords on out-of-scope": (
        "- id: q9\n  question: hi\n  sources: []\n  answer_keywords: [fox]\n", ["case 'q9'", "'answer_keywords'"]
    ),
    "invalid yaml": ("- id: q1\n  question: [unclosed\n", ["not valid YAML"]),
}


@pytest.mark.parametrize("variant", list(MALFORMED), ids=list(MALFORMED))
def test_malformed_set_is_rejected_naming_case_and_field(variant: str, tmp_path: Path) -> None:
    text, fragments = MALFORMED[variant]
    with pytest.raises(QuestionSetError) as caught:
        load_text(tmp_path, text)
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_every_problem_in_a_file_is_reported_at_once() -> None:
    with pytest.raises(QuestionSetError) as caught:
        parse_question_set([{"id": "a"}, {"question": "b"}, {"id": "c", "question": "c", "sources": ["x"]}], DOCS)
    message = str(caught.value)
    assert "3 problem(s)" in message and "case 'a'" in message and "case #2" in message and "case 'c'" in message


def test_missing_file_is_a_question_set_error(tmp_path: Path) -> None:
    with pytest.raises(QuestionSetError, match="cannot read"):
        load_question_set(tmp_path / "nope.yaml", DOCS)


def test_project_question_set_is_valid_against_the_index(retriever) -> None:
    cases = load_question_set(QUESTIONS, documents_of(retriever))
    assert len(cases) >= 40
    assert {c.split for c in cases} == {"tune", "heldout"}


# -- retrieval scoring ---------------------------------------------------------------------
def test_found_when_passage_overlaps_at_least_half_of_the_quote() -> None:
    spans = quote_spans("quick brown fox jumps", ["a.txt"], DOCS)
    source, start, end = spans[0]
    assert end - start == 21
    assert covers(passage("a.txt", start + 9, end + 5), spans[:1])  # 12 of 21 characters
    assert covers(passage("a.txt", start - 5, start + 11), spans[:1])  # 11 of 21: at least half
    assert not covers(passage("a.txt", start + 11, end + 5), spans[:1])  # 10 of 21: less than half
    assert not covers(passage("b.txt", 0, len(B_TEXT)), spans)  # other document: never


def test_every_occurrence_of_a_quote_counts() -> None:
    spans = quote_spans("quick brown fox jumps", ["a.txt"], DOCS)
    assert len(spans) == 2  # A_TEXT repeats itself, like a republished opening paragraph
    second = spans[1]
    assert covers(passage("a.txt", second[1] - 3, second[2] + 3), spans)


def test_hit_at_k_mrr_and_quote_recall() -> None:
    case = Case("m", "q", sources=("a.txt", "b.txt"),
                gold_quotes=("Delta epsilon", "Gyeongju", "lazy dog"), answer_keywords=("x",))
    d = A_TEXT.index("Delta")
    g = B_TEXT.index("Gyeongju")
    ranked = [passage("a.txt", 0, 10), passage("a.txt", d, d + 14), passage("b.txt", 0, 20),
              passage("a.txt", 0, 5), passage("b.txt", g - 4, g + 9), passage("a.txt", 0, len(A_TEXT))]
    score = score_retrieval(ranked, case, DOCS)
    assert score is not None
    assert score.quote_ranks == (2, 5, 6)  # "lazy dog" only at rank 6: outside recall@5
    assert (score.hit(1), score.hit(3), score.hit(5)) == (False, True, True)
    assert score.reciprocal_rank == 0.5
    assert score.quote_recall == pytest.approx(2 / 3)
    assert score.passage_gold == (False, True, False, False, True, True)


def test_out_of_scope_cases_have_no_retrieval_score() -> None:
    assert score_retrieval([passage("a.txt", 0, 20)], OUT, DOCS) is None


# -- answer scoring ------------------------------------------------------------------------
def test_answer_passes_with_keywords_case_and_whitespace_insensitive() -> None:
    q = A_TEXT.index("The quick")
    ans = answer("The QUICK Brown\n  Fox jumps [1]", cite(1, "a.txt", q, q + 45))
    assert missing_keywords(ans.text, ["brown fox", "quick  brown"]) == []
    assert result(FOX, ans).passed


def test_answer_fails_without_keyword() -> None:
    q = A_TEXT.index("The quick")
    r = result(FOX, answer("A dog sleeps [1]", cite(1, "a.txt", q, q + 45)))
    assert not r.passed and any("'brown fox'" in reason for reason in r.reasons)


def test_answer_fails_when_no_case_source_is_cited() -> None:
    r = result(FOX, answer("the brown fox [1]", cite(1, "b.txt", 0, 10)))
    assert r.reasons == ("cites none of the case's sources (cited only b.txt)",)
    r = result(FOX, answer("the brown fox"))
    assert r.reasons == ("cites none of the case's sources (no citation)",)


def test_quote_must_be_verbatim_at_its_offsets() -> None:
    q = A_TEXT.index("The quick")
    wrong_offsets = cite(1, "a.txt", q + 1, q + 46, quote=A_TEXT[q : q + 45])
    altered = cite(2, "a.txt", q, q + 45, quote="The quick brown fox leaps over the lazy dog.")
    good = cite(3, "a.txt", q, q + 45)
    r = result(FOX, answer("brown fox [1][2][3]", wrong_offsets, altered, good))
    assert [c.verbatim for c in r.citations] == [False, False, True]
    assert sum("not verbatim" in reason for reason in r.reasons) == 2
    assert summarize([r])["citation_validity"] == pytest.approx(1 / 3)


def test_refusal_rules() -> None:
    assert result(OUT, answer("The essays don't answer that.", refused=True)).passed
    answered = result(OUT, answer("Paris [1]", cite(1, "a.txt", 0, 10)))
    assert not answered.passed and "expected a refusal" in answered.reasons[0]
    false_refusal = result(FOX, answer("The essays don't answer that.", refused=True))
    assert false_refusal.reasons[0].startswith("false refusal")


def test_summary_metric_definitions() -> None:
    q = A_TEXT.index("The quick")
    g = B_TEXT.index("held")
    fox_ok = result(FOX, answer("brown fox [1]", cite(1, "a.txt", q, q + 45)), [passage("a.txt", q, q + 45)], 10)
    summit_refused = result(SUMMIT, answer("no", refused=True), [passage("a.txt", 0, 9), passage("b.txt", g, g + 25)], 20)
    out_refused = result(OUT, answer("no", refused=True), [passage("a.txt", 0, 9)], 30)
    out_answered = result(OUT, answer("Paris", cite(1, "b.txt", 0, 5, quote="XXXXX")), [], 40)
    s = summarize([fox_ok, summit_refused, out_refused, out_answered])
    assert list(s) == list(SUMMARY_KEYS)
    assert s["cases"] == 4
    assert (s["hit@1"], s["hit@3"], s["mrr"]) == (0.5, 1.0, 0.75)  # out-of-scope cases excluded
    assert s["quote_recall@5"] == 1.0
    assert s["answer_pass"] == 0.5  # answerable cases that pass
    assert s["refusal_accuracy"] == 0.5  # out-of-scope cases refused
    assert s["false_refusal_rate"] == 0.5  # answerable cases refused
    assert s["citation_validity"] == 0.5  # shown quotes: one verbatim, one not
    assert (s["latency_ms_p50"], s["latency_ms_p95"]) == (25.0, 38.5)
    empty = summarize([result(OUT, answer("no", refused=True))])
    assert empty["citation_validity"] == 1.0 and empty["hit@5"] is None and empty["answer_pass"] is None


# -- reports -------------------------------------------------------------------------------
def sample_report():
    q = A_TEXT.index("The quick")
    tricky = Case("x<&>\"1", "does <b>&amp; \x01 \"quote\" | pipe survive?", kind="weird & <kind>",
                  sources=("a.txt",), gold_quotes=("lazy dog",), answer_keywords=("zebra",))
    return build_report([
        result(FOX, answer("brown fox [1]", cite(1, "a.txt", q, q + 45)), [passage("a.txt", q, q + 45)]),
        result(tricky, answer("a <fox> & \x02 dog", cite(1, "a.txt", q, q + 45))),
        result(OUT, answer("no", refused=True)),
    ], {"questions": "set.yaml", "k": 5})


def test_json_report_has_exact_summary_keys_and_breakdowns() -> None:
    data = json.loads(sample_report().to_json())
    assert list(data["summary"]) == [
        "cases", "hit@1", "hit@3", "hit@5", "mrr", "quote_recall@5", "answer_pass", "refusal_accuracy",
        "false_refusal_rate", "citation_validity", "latency_ms_p50", "latency_ms_p95",
    ]
    assert list(data["by_kind"]) == ["factoid", "weird & <kind>", "out-of-scope"]
    assert list(data["by_split"]) == ["tune", "(none)"]
    assert all(list(m) == list(SUMMARY_KEYS) for m in [*data["by_kind"].values(), *data["by_split"].values()])
    case = data["cases"][0]
    for key in ("id", "question", "kind", "split", "passages", "answer", "citations", "refused", "passed", "reasons"):
        assert key in case
    assert case["passages"][0]["source"] == "a.txt" and case["passages"][0]["gold"] is True


def test_junit_has_one_testcase_per_case_with_reasons() -> None:
    report = sample_report()
    root = ET.fromstring(junit_xml(report))
    cases = root.findall(".//testcase")
    assert [c.get("name") for c in cases] == ["f1", "x<&>\"1", "o1"]
    assert root.get("tests") == "3" and root.get("failures") == "1"
    failure = cases[1].find("failure")
    assert failure is not None and "lacks keyword(s): 'zebra'" in failure.get("message")
    assert cases[0].find("failure") is None and cases[2].find("failure") is None


def test_markdown_and_terminal_tables_show_groups_and_failures() -> None:
    report = sample_report()
    md = markdown(report)
    assert "| **overall** | 3 |" in md and "pipe survive" in md and "\\| pipe" in md
    table = terminal_table(report)
    assert "overall" in table and "kind factoid" in table and "split tune" in table
    assert "FAIL x<&>\"1" in table and "'zebra'" in table
    assert "    answer: a <fox> &" in table, "a failing case shows what was answered"


def test_the_hedging_line_compares_hedged_answers_with_the_others() -> None:
    """A hedged answer (Answer.hedged) is recorded per case and counted against the other plain
    answers; an answered near miss counts as an answer that fails; a refusal, or an answer the rules
    chose (no confidence), is not counted; no hedge, no line."""
    q = A_TEXT.index("The quick")
    right = replace(answer("brown fox [1]", cite(1, "a.txt", q, q + 45)), confidence=0.97)
    doubtful = replace(right, text=f"{HEDGE} brown fox [1]", hedged=True, confidence=0.5)
    listed = replace(right, text="wrong [1]", confidence=None)  # chosen by the rules: not counted
    report = build_report([
        result(FOX, doubtful), result(replace(FOX, id="f2"), right), result(OUT, replace(doubtful, citations=())),
        result(replace(OUT, id="o2"), answer("no", refused=True)), result(replace(FOX, id="f3"), listed),
    ])
    assert hedging_line(report.cases) == "hedged 2 of 3 plain answers: 1 of them pass, 1 of the other 1"
    assert "hedged 2 of 3 plain answers" in terminal_table(report)
    cases = report.to_dict()["cases"]
    assert [c["hedged"] for c in cases] == [True, False, True, False, False] and cases[0]["confidence"] == 0.5
    assert hedging_line(sample_report().cases) == "" and "hedged" not in terminal_table(sample_report())


# -- baseline and floors -------------------------------------------------------------------
def test_baseline_flags_case_that_passed_before_and_fails_now_and_metric_drops() -> None:
    report = sample_report()
    baseline = report.to_dict()
    assert not compare(report, baseline).regressed
    baseline["cases"][1]["passed"] = True  # the tricky case passed in the baseline
    baseline["summary"]["hit@5"] = 1.5
    baseline["summary"]["false_refusal_rate"] = -0.5  # lower is better: now higher = worse
    baseline["summary"]["latency_ms_p95"] = 0.001  # latency is never compared
    baseline["cases"].append({"id": "gone", "passed": True})
    comparison = compare(report, baseline)
    assert [c.id for c in comparison.regressed_cases] == ["x<&>\"1"]
    assert [m.metric for m in comparison.dropped_metrics] == ["hit@5", "false_refusal_rate"]
    assert comparison.missing_cases == ("gone",)
    assert any(line.startswith("REGRESSION x<&>") for line in comparison.lines())


def test_fail_under_parsing_and_checking() -> None:
    floors = parse_floors(["hit@5=0.95", "answer_pass = 0.9"])
    assert [(f.metric, f.value) for f in floors] == [("hit@5", 0.95), ("answer_pass", 0.9)]
    assert check_floors(floors, {"hit@5": 0.95, "answer_pass": 0.9}) == []
    assert check_floors(floors, {"hit@5": 0.9, "answer_pass": None})[0].startswith("FLOOR hit@5>=0.95")
    for bad, match in [("hit@7=0.5", "unknown metric 'hit@7'"), ("hit@5", "METRIC=VALUE"),
                       ("hit@5=high", "not a number"), ("latency_ms_p50=3", "use --fail-over"),
                       ("false_refusal_rate=0.1", "use --fail-over"), ("answer_pass=1.5", "from 0 to 1"),
                       ("answer_pass=-1", "from 0 to 1")]:
        with pytest.raises(BaselineError, match=match):
            parse_floors([bad])


def test_fail_over_sets_ceilings_on_metrics_where_lower_is_better() -> None:
    ceilings = parse_floors(["false_refusal_rate=0.05", "latency_ms_p50=250"], ceiling=True)
    assert check_floors(ceilings, {"false_refusal_rate": 0.05, "latency_ms_p50": 120.0}) == []
    failed = check_floors(ceilings, {"false_refusal_rate": 0.08, "latency_ms_p50": 300.0})
    assert failed == ["CEILING false_refusal_rate<=0.05 not met: 0.08", "CEILING latency_ms_p50<=250 not met: 300"]
    for bad, match in [("answer_pass=0.9", "use --fail-under"), ("latency_ms_p95=-1", "cannot be negative")]:
        with pytest.raises(BaselineError, match=match):
            parse_floors([bad], ceiling=True)


# -- follow-ups with the real assistant ----------------------------------------------------
def test_follow_up_history_is_asked_first_and_accumulated(retriever) -> None:
    from rag.answer.assistant import Assistant

    calls: list[tuple[str, list]] = []

    class Recording(Assistant):
        def ask(self, question, history=None):  # type: ignore[override]
            calls.append((question, list(history or [])))
            return super().ask(question, history)

    case = Case("fu", "and the third?", kind="follow-up", history=("what are cooper's three areas?", "the first?"),
                sources=("cooper-korea-japan-new-chapter.txt",),
                gold_quotes=("build more resilient regional institutions",), answer_keywords=("resilient",))
    r = evaluate_case(case, retriever, Recording(retriever, k=5), documents_of(retriever), 5)
    assert [q for q, _ in calls] == ["what are cooper's three areas?", "the first?", "and the third?"]
    assert calls[0][1] == []
    assert [m["role"] for m in calls[2][1]] == ["user", "assistant", "user", "assistant"]
    assert calls[2][1][2] == {"role": "user", "content": "the first?"}
    assert r.search_query and r.retrieval is not None and r.latency_ms > 0


# -- the command ---------------------------------------------------------------------------
def rag_command() -> list[str]:
    script = Path(sys.executable).parent / "rag"
    return [str(script)] if script.exists() else [sys.executable, "-m", "rag.cli"]


def run_rag(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run([*rag_command(), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def namespace(questions: Path, index: Path, **flags) -> argparse.Namespace:
    values = dict(questions=str(questions), index_dir=str(index), seeds_dir=str(ROOT / "seeds"), k=5,
                  json_path=None, junit=None, markdown=None, baseline=None, fail_under=[], fail_over=[], quiet=True)
    values.update(flags)
    return argparse.Namespace(**values)


@pytest.mark.parametrize("flag", ["--json", "--junit", "--markdown"])
def test_a_report_path_in_a_missing_folder_exits_2_and_creates_nothing(tmp_path: Path, flag: str) -> None:
    target = tmp_path / "no-such-dir" / "sub" / "report.out"
    done = run_rag("eval", str(QUESTIONS), flag, str(target))
    assert done.returncode == 2
    assert f"{flag} {target}" in done.stderr and "does not exist" in done.stderr
    assert not (tmp_path / "no-such-dir").exists()


def test_one_run_reports_structural_and_corpus_problems_together(tmp_path: Path) -> None:
    """A missing question, an unknown source and a gold quote the essay does not contain: all
    three in one run (docs/EVAL.md), not the last two only after the first is fixed."""
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "- id: a\n  kind: factoid\n  sources: []\n"
        "- id: b\n  question: what tariffs?\n  kind: factoid\n  sources: [no-such-essay.txt]\n"
        "- id: c\n  question: what tariffs?\n  kind: factoid\n  sources: [cooper-korea-japan-new-chapter.txt]\n"
        "  gold_quotes: ['a sentence that is in neither essay']\n",
        encoding="utf-8",
    )
    done = run_rag("eval", str(questions), "--seeds-dir", str(ROOT / "seeds"))
    assert done.returncode == 2, done.stderr
    assert "3 problem(s)" in done.stderr, done.stderr
    assert "'question'" in done.stderr and "no-such-essay.txt" in done.stderr
    assert "a sentence that is in neither essay" in done.stderr


def test_a_baseline_made_with_other_settings_is_compared_with_a_note() -> None:
    report = sample_report()
    baseline = report.to_dict()
    baseline["meta"] = {**baseline["meta"], "k": 9, "corpus": "0123", "documents": ["old.md"]}
    report = replace(report, meta={**report.meta, "k": 5, "corpus": "4567", "documents": ["new.md"]})
    notes = [line for line in compare(report, baseline).lines() if line.startswith("NOTE")]
    assert any("k: 9 in the baseline, 5 now" in n for n in notes)
    assert any("corpus: the essays differ" in n for n in notes)
    assert any("added new.md; gone old.md" in n for n in notes)
    assert not compare(report, baseline).regressed, "a note, not a regression"


def test_the_report_may_not_overwrite_its_own_baseline(tmp_path: Path) -> None:
    baseline = tmp_path / "b.json"
    baseline.write_text('{"summary": {}, "cases": []}', encoding="utf-8")
    done = run_rag("eval", str(QUESTIONS), "--baseline", str(baseline), "--json", str(baseline))
    assert done.returncode == 2 and "would overwrite the baseline" in done.stderr
    assert baseline.read_text(encoding="utf-8") == '{"summary": {}, "cases": []}'


def test_bad_fail_under_flag_exits_2_before_loading_anything() -> None:
    done = run_rag("eval", str(QUESTIONS), "--fail-under", "recall=0.9")
    assert done.returncode == 2
    assert "unknown metric 'recall'" in done.stderr


def test_structurally_malformed_set_exits_2_before_loading_the_model(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: a\n- id: a\n  question: x\n", encoding="utf-8")
    done = run_rag("eval", str(bad), "--index-dir", str(tmp_path / "no-index"))
    assert done.returncode == 2
    assert "case 'a' (#1) field 'question': required, missing" in done.stderr
    assert "case 'a' (#2) field 'id': duplicate id" in done.stderr


def test_malformed_question_set_exits_2(tmp_path: Path, index_copy: Path, capsys) -> None:
    from rag.eval.command import run_command

    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: q1\n  question: what?\n  sources: [missing.txt]\n", encoding="utf-8")
    settings = settings_from_env().with_overrides(index_dir=str(index_copy), seeds_dir=str(ROOT / "seeds"))
    assert run_command(namespace(bad, index_copy), settings) == 2
    assert "case 'q1' (#1) field 'sources'" in capsys.readouterr().err


def test_baseline_regression_exits_1(tmp_path: Path, index_copy: Path, capsys) -> None:
    from rag.eval.command import run_command

    questions = tmp_path / "small.yaml"
    questions.write_text(
        "- id: ok\n  question: what reciprocal tariffs are japan and south korea facing right now?\n"
        "  sources: [govella-japan-south-korea-cooperation.txt]\n"
        "  gold_quotes: [\"reciprocal tariffs of 24% and 25% respectively\"]\n"
        "- id: impossible\n  question: what tariffs does japan face?\n"
        "  sources: [govella-japan-south-korea-cooperation.txt]\n  answer_keywords: [\"zebra crossing\"]\n",
        encoding="utf-8",
    )
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"summary": {"hit@5": 1.0}, "cases": [{"id": "impossible", "passed": True}]}))
    settings = settings_from_env().with_overrides(index_dir=str(index_copy), seeds_dir=str(ROOT / "seeds"))
    report_path = tmp_path / "small.json"
    code = run_command(namespace(questions, index_copy, baseline=str(baseline), json_path=str(report_path)), settings)
    out = capsys.readouterr().out
    assert code == 1
    assert "REGRESSION impossible: passed in the baseline, fails now" in out
    # the report itself, used as the next baseline, shows no regression
    code = run_command(namespace(questions, index_copy, baseline=str(report_path)), settings)
    assert code == 0, capsys.readouterr().out


@pytest.fixture(scope="module")
def cli_runs(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Two full `rag eval` runs of tests/questions.yaml, side by side, on a copy of the session index."""
    folder = tmp_path_factory.mktemp("eval-cli")
    index = folder / "index"
    shutil.copytree(index_dir, index)
    common = [*rag_command(), "eval", str(QUESTIONS), "--index-dir", str(index), "--seeds-dir", str(ROOT / "seeds")]
    first = [*common, "--json", str(folder / "a.json"), "--junit", str(folder / "a.xml"),
             "--markdown", str(folder / "a.md"), "--fail-under", "hit@5=0.5"]
    second = [*common, "--json", str(folder / "b.json"), "--fail-under", "hit@1=1", "--fail-over", "latency_ms_p95=0.01"]
    # one thread each: two processes on two cores, without threads fighting over them
    threads = {name: "1" for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", **threads}
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for cmd in (first, second)]
    outputs = [p.communicate(timeout=900) for p in procs]
    return {"folder": folder, "codes": [p.returncode for p in procs], "outputs": outputs}


@pytest.mark.slow
def test_cli_writes_reports_and_meets_a_floor(cli_runs: dict) -> None:
    folder = cli_runs["folder"]
    assert cli_runs["codes"][0] == 0, cli_runs["outputs"][0]
    stdout = cli_runs["outputs"][0][0]
    assert "overall" in stdout and "kind out-of-scope" in stdout and "split heldout" in stdout
    report = json.loads((folder / "a.json").read_text(encoding="utf-8"))
    assert list(report["summary"]) == list(SUMMARY_KEYS)
    cases = load_question_set(QUESTIONS)
    assert [c["id"] for c in report["cases"]] == [c.id for c in cases]
    testcases = ET.parse(folder / "a.xml").getroot().findall(".//testcase")
    assert [t.get("name") for t in testcases] == [c.id for c in cases]
    assert "| **overall** |" in (folder / "a.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_cli_exits_1_when_a_floor_is_not_met(cli_runs: dict) -> None:
    assert cli_runs["codes"][1] == 1, cli_runs["outputs"][1]
    assert "FLOOR hit@1>=1 not met" in cli_runs["outputs"][1][0]
    assert "CEILING latency_ms_p95<=0.01 not met" in cli_runs["outputs"][1][0]


@pytest.mark.slow
def test_two_runs_give_identical_figures_except_latency(cli_runs: dict) -> None:
    """Metrics, verdicts, answers, ranks and spans are identical; a passage score may differ in its
    last printed digit (BLAS float32 sums can vary with memory alignment), never by more."""
    folder = cli_runs["folder"]
    a, b = (json.loads((folder / name).read_text(encoding="utf-8")) for name in ("a.json", "b.json"))

    def scores(report: dict) -> list[float]:
        return [p["score"] for c in report["cases"] for p in c["passages"]]

    def without_latency(report: dict) -> dict:
        strip = lambda m: {k: v for k, v in m.items() if not k.startswith("latency")}  # noqa: E731
        return {
            "summary": strip(report["summary"]),
            "by_kind": {k: strip(m) for k, m in report["by_kind"].items()},
            "by_split": {k: strip(m) for k, m in report["by_split"].items()},
            "cases": [
                {**{k: v for k, v in c.items() if k not in ("latency_ms", "passages")},
                 "passages": [{k: v for k, v in p.items() if k != "score"} for p in c["passages"]]}
                for c in report["cases"]
            ],
        }

    assert without_latency(a) == without_latency(b)
    assert scores(a) == pytest.approx(scores(b), abs=2e-6)


def test_fresh_question_set_is_valid_against_the_index(retriever) -> None:
    """tests/fresh_questions.yaml (never tuned on, reported in bench/RESULTS.md) stays loadable."""
    from rag.eval.questionset import documents_of, load_question_set

    cases = load_question_set(Path(__file__).with_name("fresh_questions.yaml"), documents_of(retriever))
    assert len(cases) >= 20 and {c.split for c in cases} == {"fresh"}
