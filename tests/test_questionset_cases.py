"""The project's question set (tests/questions.yaml) as one test per case.

Each case is asked of the real Assistant over the session index and scored by the same rules
as `rag eval` (rag/eval/scoring.py): keywords, a citation of the case's sources, verbatim
quotes, refusals for out-of-scope questions. Cases that fail today are listed in
KNOWN_FAILURES with the reason, and run as non-strict xfail: the suite stays green, the
report (-ra) shows what fails, and an XPASS says a case can come off the list.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.eval import evaluate_case, load_question_set
from rag.eval.questionset import documents_of

QUESTIONS = Path(__file__).resolve().parent / "questions.yaml"
K = 5

# Cases that fail with the current retriever and assistant (keep honest and short: when a
# change fixes one, pytest reports XPASS; take it off this list).
KNOWN_FAILURES: dict[str, str] = {
    "q03": "quotes Govella's bio line instead of the sentence naming Shigeru Ishida",
    "q18": "paraphrase retrieval miss: Govella's 'costs of not cooperating' not in top 5; answers from Cooper",
    "q19": "paraphrase retrieval miss: Govella's 'modest enhancements' not in top 5; answers from Cooper",
    "q28": "cross-essay: quotes another Cooper G7 sentence, not 'invite President Yoon to the G7 Summit'",
    "q31": "cross-essay: Cooper's 'U.S. disengagement' sentence is not chosen",
    "q37": "list: the defence-spending / burden-sharing sentence is not among the points",
    "q14": "refused: the reader rates the sentence naming 'America First' below the answer threshold",
    "q05": "refused: the reader rates the spun 'bipartisan laws' sentence below the answer threshold",
    # near misses that two deleted seed-essay rules refused (a figure check for how-many questions
    # and an absent-topic check): on unseen sets the first cost more cases than it saved, the
    # second moved none (bench/RESULTS.md, reader ablation); the reader does not refuse these
    "q54": "near miss: Taiwan is never discussed; 'what does X say about' is answered with the closest topic",
    "q25": "spun vocabulary: the republished essay calls the Pacific Forum the 'Pacific Discussion Board', and "
           "a name no essay holds is refused by name (E85, +5/-0 on the judges; docs/READER.md)",
    "q34": "list: misses Govella's 'Second,' step (not chosen) and the coalitions one (not retrieved); "
           "the rule that fetched an enumeration's missing points went in the deletion pass (docs/READER.md, E71)",
}

CASES = load_question_set(QUESTIONS)  # the corpus checks run in test_eval.py, with the index


def _param(case):
    marks = []
    if case.id in KNOWN_FAILURES:
        marks.append(pytest.mark.xfail(reason=KNOWN_FAILURES[case.id], strict=False))
    return pytest.param(case, id=case.id, marks=marks)


@pytest.fixture(scope="module")
def assistant(retriever):
    from rag.answer.assistant import Assistant

    return Assistant(retriever, k=K)


@pytest.fixture(scope="module")
def documents(retriever) -> dict[str, str]:
    return documents_of(retriever)


def test_known_failures_name_real_cases() -> None:
    assert set(KNOWN_FAILURES) <= {c.id for c in CASES}


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case_passes(case, retriever, assistant, documents) -> None:
    result = evaluate_case(case, retriever, assistant, documents, K)
    details = "\n".join(
        [*(f"reason: {r}" for r in result.reasons), f"answer: {result.answer_text}"]
        + [f"passage {p.rank}: {p.source} {p.start}:{p.end} gold={p.gold}" for p in result.passages]
    )
    if not result.passed:
        pytest.fail(f"{case.id} ({case.kind}) {case.question!r} fails:\n{details}", pytrace=False)
