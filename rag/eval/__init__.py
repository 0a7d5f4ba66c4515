"""Regression evaluation of retrieval and answers against a YAML question set (`rag eval`).

    from rag import Retriever
    from rag.eval import run_eval

    retriever = Retriever.load("index")
    report = run_eval("tests/questions.yaml", retriever, k=5)
    print(report.summary["hit@5"], report.summary["answer_pass"])
    for result in report.failures:
        print(result.case.id, result.reasons)

The format and the scoring rules are in docs/EVAL.md.
"""

from .baseline import BaselineError, Comparison, Floor, check_floors, compare, load_baseline, parse_floors
from .questionset import Case, QuestionSetError, documents_of, load_question_set, parse_question_set
from .render import junit_xml, markdown, terminal_table
from .report import EvalReport, build_report
from .runner import evaluate_case, run_eval
from .scoring import SUMMARY_KEYS, CaseResult

__all__ = [
    "SUMMARY_KEYS",
    "BaselineError",
    "Case",
    "CaseResult",
    "Comparison",
    "EvalReport",
    "Floor",
    "QuestionSetError",
    "build_report",
    "check_floors",
    "compare",
    "documents_of",
    "evaluate_case",
    "junit_xml",
    "load_baseline",
    "load_question_set",
    "markdown",
    "parse_floors",
    "parse_question_set",
    "run_eval",
    "terminal_table",
]
