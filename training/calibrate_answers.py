"""Calibrate the reader's refusal line in the product, not within a paragraph.

``train_reader.py`` sets ``threshold`` where 5% of the calibration half's questions have no
sentence of their own paragraph at or above it. The product reads something else: the five
candidate sentences that retrieval and the rule score bring from the whole folder, after the
other refusal checks. This script writes the held-out articles (both halves, never trained on)
as a folder of essays, indexes it, asks every question with the reader's refusal switched off,
and records the reader's best probability and whether another check refused. The answer
threshold is the one at which RATE of the calibration half's answerable questions are refused
in all; the test half's figures at that line are measured and written beside it, with the
paragraph threshold's for comparison. Before that, the place discount (``Reader.ranking``) is
fitted the same way: the one of DISCOUNTS that puts a sentence holding the answer first for the
most plain answerable questions of the calibration half.

Usage: python training/calibrate_answers.py [OUT] [--write]   (OUT: a scratch folder for the
essays and the index, default training/cache/answers; --write stores the result in the card)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag import Assistant, Retriever  # noqa: E402
from rag.answer.assistant import RefusalPolicy, check_question  # noqa: E402
from rag.answer.evidence import gather, reads_plainly  # noqa: E402
from rag.answer.intent import read_intent  # noqa: E402
from rag.read.reader import WEIGHTS, Reader, discounted  # noqa: E402
from rag.read.squad import (  # noqa: E402
    collapse, essay_name, held_out_calibration_half, held_out_test_half, load_articles, write_corpus,
)

RATE = 0.05  # false refusals the calibration half may have, all checks together
PER_ARTICLE = 40  # answerable questions per article: 1,000 on the calibration half
NEAR_MISS = 6  # questions per article whose answer sentences are deleted (as bench/reader.py)
DISCOUNTS = tuple(round(0.1 * i, 1) for i in range(21))  # per place of a candidate's passage: 0 to 2
SURE = 0.90  # how often the answers at or above the sure line must hold the answer (calibration half)


class _Recording:
    """The reader, remembering the best probability of the candidates it ranked for the last
    question: over every call before the ranking (an announcing sentence is read twice and counts
    with the higher reading), none after it (the first quote read with the next sentence decides
    what is quoted, not whether to refuse). ``start`` forgets the last question."""

    def __init__(self, reader: Reader, place_discount: float) -> None:
        self.reader, self.threshold, self.place_discount = reader, reader.threshold, place_discount
        self.sure_threshold = 0.0  # hedging changes no answer's quotes, only its opening words
        self.best: float | None = None
        self.ranked = False

    def start(self) -> None:
        self.best, self.ranked = None, False

    def probabilities(self, question: str, texts: list[str], batch_size: int = 16) -> np.ndarray:
        p = self.reader.probabilities(question, texts, batch_size)
        if len(p) and not self.ranked:
            self.best = max(float(p.max()), self.best if self.best is not None else 0.0)
        return p

    def ranking(self, probability: np.ndarray, place: np.ndarray) -> np.ndarray:
        """As Reader.ranking, with the discount being tried."""
        self.ranked = True
        return discounted(probability, place, self.place_discount)


def held_out_corpus(out: Path) -> tuple[Retriever, list[Any], dict[str, str]]:
    """The held-out articles (both halves) indexed as essays, their questions, each essay's half."""
    articles = load_articles()
    halves = {essay_name(a): "calibration" for a in held_out_calibration_half(articles)}
    halves |= {essay_name(a): "test" for a in held_out_test_half(articles)}
    chosen = [a for a in articles if essay_name(a) in halves]
    questions = write_corpus(chosen, out / "seeds", PER_ARTICLE, NEAR_MISS)
    return Retriever.open(out / "seeds", out / "index"), questions, halves


def read_candidates(retriever: Retriever, reader: Reader, questions: list[Any],
                    halves: dict[str, str]) -> list[dict[str, Any]]:  # fmt: skip
    """Each plain answerable question's read candidates: probability, place of their passage in
    the search, and whether they hold the answer (as Assistant.ask searches and reads them)."""
    k = Assistant(retriever, reader=reader).k
    out = []
    for q in questions:
        text = check_question(q.text)
        intent = read_intent(text)
        if not q.answerable or not reads_plainly(intent):
            continue
        query = retriever.expand(text)
        passages = retriever.search(query, k=k)
        place = {id(p): n for n, p in enumerate(passages)}
        read = [e for e in gather(retriever, reader, [query], passages, intent, query) if e.probability > 0]
        out.append({"half": halves[q.source], "read": [
            (e.probability, place[id(e.passage)], collapse(q.answer) in collapse(e.text)) for e in read]})
    return out


def first_holds(cases: list[dict[str, Any]], discount: float) -> float:
    """The share of ``cases`` whose best read candidate, ranked with ``discount``, holds the answer."""
    hits = []
    for case in cases:
        read = np.array(case["read"], np.float64).reshape(-1, 3)  # probability, place, holds
        hits.append(len(read) > 0 and bool(read[np.argmax(discounted(read[:, 0], read[:, 1], discount)), 2]))
    return round(float(np.mean(hits)), 4)


def ask_all(retriever: Retriever, questions: list[Any], halves: dict[str, str], reader: Reader,
            place_discount: float) -> list[dict[str, Any]]:  # fmt: skip
    """Every question of the held-out corpus, asked with the reader's refusal off."""
    recording = _Recording(reader, place_discount)
    off = RefusalPolicy(min_probability=0.0)
    assistant = Assistant(retriever, policy=off, reader=recording)  # type: ignore[arg-type]
    cases = []
    for q in questions:
        recording.start()
        answer = assistant.ask(q.text)
        first = answer.citations[0].quote if answer.citations and not answer.refused else ""
        cases.append({
            "half": halves[q.source], "answerable": q.answerable, "other_refused": answer.refused,
            "plain": reads_plainly(read_intent(check_question(q.text))), "best": recording.best,
            "holds": collapse(q.answer) in collapse(first),
        })  # fmt: skip
    return cases


def refused(case: dict[str, Any], threshold: float) -> bool:
    """Whether the product refuses this case with the reader's line at ``threshold``."""
    reader_refuses = case["plain"] and case["best"] is not None and case["best"] < threshold
    return bool(case["other_refused"] or reader_refuses)


def choose(cases: list[dict[str, Any]], rate: float) -> float:
    """The highest line at which at most ``rate`` of the answerable cases are refused in all."""
    answerable = [c for c in cases if c["answerable"]]
    allowed = int(rate * len(answerable)) - sum(c["other_refused"] for c in answerable)
    read = [c for c in answerable if c["plain"] and c["best"] is not None and not c["other_refused"]]
    lines = sorted(c["best"] for c in read)
    return float(lines[max(0, min(allowed, len(lines) - 1))]) if allowed > 0 else 0.0


def answered(cases: list[dict[str, Any]], threshold: float, below: float = 2.0) -> list[dict[str, Any]]:
    """The plain cases the product answers at ``threshold`` whose best probability is under ``below``."""
    return [c for c in cases if c["plain"] and c["best"] is not None and not refused(c, threshold) and c["best"] < below]


def holds_share(cases: list[dict[str, Any]]) -> float:
    """The share of answered ``cases`` whose first quote holds the answer (near misses never do)."""
    return round(float(np.mean([c["answerable"] and c["holds"] for c in cases])), 4) if cases else 0.0


def sure_line(cases: list[dict[str, Any]], threshold: float, precision: float) -> float:
    """The lowest best probability at which the plain answers at or above it hold the answer at
    least ``precision`` of the time: an answer under it is hedged (Assistant.ask)."""
    done = answered(cases, threshold)
    lines = sorted({c["best"] for c in done})
    return next((t for t in lines if holds_share([c for c in done if c["best"] >= t]) >= precision), 1.0)


def sure_figures(cases: list[dict[str, Any]], threshold: float, sure: float) -> dict[str, float]:
    """How the sure line splits what is answered: answers holding the answer at or above it and under
    it, and the share of the near misses answered that are under it (so hedged)."""
    under, everything = answered(cases, threshold, sure), answered(cases, threshold)
    missed = [c for c in everything if not c["answerable"]]
    return {"answered": len(everything), "hedged": len(under),
            "sure_hold_answer": holds_share([c for c in everything if c["best"] >= sure]),
            "hedged_hold_answer": holds_share(under),
            "near_misses_answered": len(missed),
            "of_them_hedged": round(sum(c["best"] < sure for c in missed) / len(missed), 4) if missed else 0.0}


def figures(cases: list[dict[str, Any]], threshold: float) -> dict[str, float]:
    """First quote holds the answer, false refusals and near misses refused, at ``threshold``."""
    answerable = [c for c in cases if c["answerable"]]
    missing = [c for c in cases if not c["answerable"]]

    def share(values: list[bool]) -> float:
        return round(float(np.mean(values)), 4)

    return {
        "answerable": len(answerable), "near_misses": len(missing),
        "first_quote_holds_answer": share([c["holds"] and not refused(c, threshold) for c in answerable]),
        "false_refusals": share([refused(c, threshold) for c in answerable]),
        "near_miss_refused": share([refused(c, threshold) for c in missing]),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "training" / "cache" / "answers")
    parser.add_argument("--weights", type=Path, default=WEIGHTS)
    parser.add_argument("--rate", type=float, default=RATE)
    parser.add_argument("--write", action="store_true", help="store the answer threshold in the card")
    args = parser.parse_args()
    reader = Reader.load(args.weights)
    retriever, questions, halves = held_out_corpus(args.out)
    read = read_candidates(retriever, reader, questions, halves)
    fitting = {half: [c for c in read if c["half"] == half] for half in ("calibration", "test")}
    discount = max(DISCOUNTS, key=lambda d: (first_holds(fitting["calibration"], d), -d))
    cases = ask_all(retriever, questions, halves, reader, discount)
    (args.out / "cases.json").write_text(json.dumps(cases))
    by_half = {half: [c for c in cases if c["half"] == half] for half in ("calibration", "test")}
    line = choose(by_half["calibration"], args.rate)
    sure = sure_line(by_half["calibration"], line, SURE)
    result = {
        "answer_threshold": round(line, 6),
        "sure_threshold": round(sure, 6),
        "sure_threshold_means": (
            f"in the product, the plain answers of the calibration half whose best probability is at or above it "
            f"hold the answer at least {SURE:.0%} of the time; an answer under it is hedged"),
        "hedging": {half: sure_figures(chosen, line, sure) for half, chosen in by_half.items()},
        "place_discount": discount,
        "place_discount_means": (
            "per place of its passage in the search, a candidate's logit drops by this much: of DISCOUNTS in "
            "training/calibrate_answers.py, the one that puts an answer sentence first for the most plain "
            "answerable questions of the calibration half"),
        "reader_first_holds_answer": {
            half: {"with the place discount": first_holds(chosen, discount), "without": first_holds(chosen, 0.0),
                   "questions": len(chosen)}
            for half, chosen in fitting.items()
        },
        "held_out_answers": {
            half: {"at the answer threshold": figures(chosen, line),
                   "at the paragraph threshold": figures(chosen, reader.threshold)}
            for half, chosen in by_half.items()
        },
    }  # fmt: skip
    print(json.dumps(result, indent=1))
    if args.write:
        card_file = args.weights.with_suffix(".json")
        card = json.loads(card_file.read_text(encoding="utf-8"))
        card.update(result, answer_threshold_means=(
            f"in the product (training/calibrate_answers.py), {args.rate:.0%} of the calibration half's "
            "answerable questions are refused, by the reader or any other check"))  # fmt: skip
        card_file.write_text(json.dumps(card, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
