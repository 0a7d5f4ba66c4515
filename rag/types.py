"""The values that flow between stages: documents, chunks, passages, citations, answers.

All are frozen dataclasses so they can be shared across threads (the web chat serves many
users from one retriever) and compared in tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Document:
    """One essay, with its text exactly as decoded from the file (BOM removed)."""

    source: str  # file name relative to the seeds folder, POSIX separators
    text: str
    title: str
    author: str | None
    sha256: str  # of the file's bytes
    metadata: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A span of a document: ``document.text[start:end] == text``."""

    id: int
    source: str
    start: int
    end: int
    text: str
    duplicate_of: int | None = None  # set when every sentence repeats text found elsewhere
    section: str = ""  # headings above its start, "Printing press › Gutenberg's press"


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a document with exact character offsets (a list item or table row is
    one too, its marker or pipes left out)."""

    source: str
    start: int
    end: int
    text: str
    kind: str = "text"  # "text", "item" (of a list) or "row" (of a table): see ingest/structure.py
    paragraph: int = -1  # the block it belongs to: sentences of one paragraph share it
    section: str = ""  # headings above it, outermost first


@dataclass(frozen=True)
class Passage:
    """A ranked retrieval result with its citation and the sentence(s) that answer."""

    text: str
    source: str
    title: str
    author: str | None
    start: int
    end: int
    score: float
    quote: str
    quote_start: int
    quote_end: int
    chunk_id: int = -1
    section: str = ""  # headings above the passage, "Printing press › Gutenberg's press"


@dataclass(frozen=True)
class Citation:
    """A numbered source for an answer; ``quote`` is verbatim document text."""

    number: int
    passage: Passage
    quote: str
    quote_start: int
    quote_end: int

    @property
    def source(self) -> str:
        """The cited document's file name relative to the seeds folder."""
        return self.passage.source

    @property
    def shown(self) -> str:
        """The quote as the answer's text shows it (``as_shown``)."""
        return as_shown(self.quote)


def as_shown(quote: str) -> str:
    """A quote as an answer shows it: its words and marks as written, each run of spaces and line
    breaks one space, so a hard-wrapped line or a padded table row does not break it on screen."""
    return " ".join(quote.split())


@dataclass(frozen=True)
class Answer:
    """What the assistant says: text with ``[n]`` markers, the citations, or a refusal."""

    text: str
    citations: tuple[Citation, ...]
    refused: bool
    question: str = ""
    search_query: str = ""  # the question after follow-up resolution
    confidence: float | None = None  # a plain answer's reader probability (None: the rules chose the quotes)
    hedged: bool = False  # answered, but under the reader's sure line: the text says it may not answer exactly
