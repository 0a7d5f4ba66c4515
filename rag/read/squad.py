"""SQuAD v1.1 train as reader training data: articles split into the project's own sentences.

The vendored copy (``training/squad-v1.1-train.json.xz``, CC BY-SA 4.0) keeps every article,
paragraph and question; each answer lists every place its text occurs in the paragraph, so a
sentence holding any occurrence is a positive. Whole articles are held out for measurement.
"""

from __future__ import annotations

import json
import lzma
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

