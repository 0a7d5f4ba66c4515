"""SQuAD v1.1 train as reader training data: articles split into the project's own sentences.

The vendored copy (``training/squad-v1.1-train.json.xz``, CC BY-SA 4.0) keeps every article,
paragraph and question; each answer lists every place its text occurs in the paragraph, so a
sentence holding any occurrence is a positive. Whole articles are held out for measurement.
"""

from __future__ import annotations

import json
import lzma
import random
import re
from dataclasses import dataclass
from pathlib import Path

from ..ingest.sentences import sentence_spans

DATA = Path(__file__).resolve().parents[2] / "training" / "squad-v1.1-train.json.xz"
HELD_OUT_EVERY = 9  # article i is held out when i % 9 == 4: 49 of 442 articles


@dataclass(frozen=True)
class Question:
    """A SQuAD question with the rows (into its article's sentences) that hold its answer."""

    text: str
    answer: str
    paragraph: int
    positives: tuple[int, ...]


@dataclass(frozen=True)
class Article:
    """One article: its sentences in order, which paragraph each is in, and its questions."""

    index: int
    title: str
    sentences: tuple[str, ...]
    paragraph_of: tuple[int, ...]
    paragraphs: tuple[str, ...]
    questions: tuple[Question, ...]

    @property
    def held_out(self) -> bool:
        return is_held_out(self.index)


def is_held_out(index: int) -> bool:
    """True for the articles never trained on (every ninth, from the fifth)."""
    return index % HELD_OUT_EVERY == 4


def load_articles(path: Path = DATA) -> list[Article]:
    """Every article of the vendored file, split into sentences with their answer labels."""
    raw = json.loads(lzma.decompress(path.read_bytes()))
    return [_article(i, a) for i, a in enumerate(raw["data"])]


def _article(index: int, raw: dict) -> Article:
    sentences: list[str] = []
    paragraph_of: list[int] = []
    questions: list[Question] = []
    paragraphs: list[str] = []
    for p, para in enumerate(raw["paragraphs"]):
        context = para["context"]
        paragraphs.append(context)
        first = len(sentences)
        spans = sentence_spans(context)
        for start, end in spans:
            sentences.append(context[start:end])
            paragraph_of.append(p)
        for question, answer, starts in para["qas"]:
            rows = {first + i for s in starts for i, (a, b) in enumerate(spans) if a <= s < b}
            if rows:
                questions.append(Question(question, answer, p, tuple(sorted(rows))))
    title = raw["title"].replace("_", " ")
    return Article(index, title, tuple(sentences), tuple(paragraph_of), tuple(paragraphs), tuple(questions))


@dataclass(frozen=True)
class CorpusQuestion:
    """A question asked of held-out articles written out as essays (see ``write_corpus``)."""

    text: str
    answer: str
    answerable: bool  # False: its answer sentences were deleted and the answer is nowhere else
    source: str = ""  # the essay it asks about (``essay_name`` of its article)


def calibration_half(articles: list[Article]) -> set[int]:
    """Indices of the held-out articles that calibrate the reader's threshold: every other one."""
    return set(sorted(a.index for a in articles if a.held_out)[::2])


def held_out_calibration_half(articles: list[Article]) -> list[Article]:
    """The held-out articles that chose the reader's threshold (never trained on)."""
    calibration = calibration_half(articles)
    return [a for a in articles if a.index in calibration]


def held_out_test_half(articles: list[Article]) -> list[Article]:
    """The held-out articles never used to calibrate the reader's threshold: they give the figures."""
    calibration = calibration_half(articles)
    return [a for a in articles if a.held_out and a.index not in calibration]


def essay_name(article: Article) -> str:
    """The file name an article is written to: its title, lower-case, words joined by hyphens."""
    return re.sub(r"\W+", "-", article.title.lower()).strip("-") + ".txt"


def write_corpus(
    articles: list[Article], folder: Path, per_article: int, near_miss: int, seed: int = 7
) -> list[CorpusQuestion]:
    """Write ``articles`` into ``folder`` as .txt essays (title line, then paragraphs) and
    return questions to ask: ``per_article`` answerable ones and ``near_miss`` whose answer
    sentences are deleted from the essay (only when the answer then occurs nowhere in it)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.txt"):
        old.unlink()
    out: list[CorpusQuestion] = []
    for a in articles:
        order = list(range(len(a.questions)))
        rng.shuffle(order)
        removed: set[int] = set()
        missing: list[int] = []
        for qi in order:
            if len(missing) == near_miss:
                break
            rows = set(a.questions[qi].positives)
            kept = " ".join(s for i, s in enumerate(a.sentences) if i not in removed | rows)
            if collapse(a.questions[qi].answer) not in collapse(kept):
                removed |= rows
                missing.append(qi)
        paragraphs = [
            " ".join(s for i, s in enumerate(a.sentences) if a.paragraph_of[i] == p and i not in removed)
            for p in range(len(a.paragraphs))
        ]
        text = a.title + "\n\n" + "\n\n".join(p for p in paragraphs if p) + "\n"
        (folder / essay_name(a)).write_text(text, encoding="utf-8")
        out += [CorpusQuestion(a.questions[qi].text, a.questions[qi].answer, False, essay_name(a))
                for qi in missing]
        kept_qs = [qi for qi in order if qi not in missing and not set(a.questions[qi].positives) & removed]
        out += [CorpusQuestion(a.questions[qi].text, a.questions[qi].answer, True, essay_name(a))
                for qi in kept_qs[:per_article]]
    return out


def collapse(text: str) -> str:
    """Lower-case with runs of white space made one space: how an answer is found in a quote."""
    return " ".join(text.lower().split())
