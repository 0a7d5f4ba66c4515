"""The blocks of an essay's text: headings, paragraphs, list items and table rows, with offsets.

One reader for every format: Markdown and plain text are read as written, and PDF, HTML and
Word files are first extracted to Markdown-flavoured text (see formats.py). What it finds:

- ``#`` headings, a short unpunctuated line standing alone (a plain-text heading) and an
  underlined (``===`` / ``---``) line are headings: never quoted, they make each block's
  section path ("Printing press › Gutenberg's press"); in the text of a PDF, HTML or Word file
  only ``#`` lines are, as its extractor marked every heading it found;
- ``-``, ``*``, ``+``, ``•``, ``1.`` and ``1)`` lines are list items; the block starts after
  the marker, so a quote leaves the marker out;
- ``|`` lines are table rows; the separator row is dropped, the row above it is the header
  (not quoted alone: it is given to the reader with each row), and a row's block starts
  after its first pipe and ends before its last;
- fenced code and front matter are not prose and give no block;
- any other line is paragraph text; a hard-wrapped paragraph (lines broken at about 80
  columns in a file that separates paragraphs with blank lines) is one block, so a sentence
  may run over a line break.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from ..types import Sentence
from .formats import SUFFIXES
from .load import TITLE_WORDS, body_start, byline

SEPARATOR = " › "
HEADING, TEXT, ITEM, ROW, HEADER = "heading", "text", "item", "row", "header"

_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MARKER = re.compile(r"^([ \t]*)([-*+•]|\d{1,3}[.)])[ \t]+(?=\S)")
_QUOTE = re.compile(r"^[ \t]*>[ \t]?")
_TABLE = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$")
_CLOSERS = " \t”\"’')]*_"
WRAP_MIN, WRAP_MAX = 40, 100  # a line this long, in a file with blank lines, may be hard-wrapped
HEADING_WORDS = 12
# a line ending on one of these, in lower case, stops mid-sentence: no heading when a line follows it
# (a title may end on one in title case: "Six Months On")
_ENDS_MIDWAY = re.compile(
    r"\b(?:a|an|the|of|and|or|but|to|in|on|at|for|with|by|from|that|than|so|as|is|are|was|were|between)$"
)


@dataclass(frozen=True)
class Block:
    """A unit of an essay: ``text[start:end]`` is its content (marker and pipes left out)."""

    kind: str  # HEADING, TEXT, ITEM, ROW or HEADER
    start: int
    end: int
    section: str  # the headings above it, outermost first, joined by SEPARATOR
    number: int  # its position among the document's blocks (Sentence.paragraph: one block, one paragraph)


def own_line(line: str) -> bool:
    """True for a line that stands alone however the text around it is wrapped: a Markdown
    heading, a list item or a table row (what a terminal keeps on a line of its own)."""
    return bool(_ATX.match(line) or _MARKER.match(line) or _TABLE.match(line))


def extracted(source: str) -> bool:
    """True for a document extracted from a PDF, HTML or Word file: its extractor marked every
    heading it found with ``#``, so no other line is taken for one (a minutes' "Apologies: Lorna
    Fitch, Eamon Quigley" is a paragraph, not a plain-text heading)."""
    return source.lower().endswith(SUFFIXES)


@lru_cache(maxsize=64)
def blocks(text: str, marked: bool = False) -> tuple[Block, ...]:
    """Every block of ``text`` (after any front matter), in reading order; with ``marked``, only
    ``#`` lines are headings (the text of an ``extracted`` file)."""
    return tuple(_Parser(text, marked).run())


def section_within(text: str, start: int, end: int, marked: bool = False) -> str:
    """The section of the first non-heading block starting inside ``[start, end)`` (a chunk may
    open on its heading), else of the block holding ``start``."""
    units, starts = _units(text, marked)
    first = bisect.bisect_left(starts, start)
    if first < len(units) and units[first].start < end:
        return units[first].section
    return units[first - 1].section if first > 0 else ""


@lru_cache(maxsize=64)
def _units(text: str, marked: bool) -> tuple[tuple[Block, ...], list[int]]:
    """The non-heading blocks of ``text`` and their start offsets, for bisecting."""
    units = tuple(b for b in blocks(text, marked) if b.kind != HEADING)
    return units, [b.start for b in units]


def as_read(text: str, sentence: Sentence) -> str:
    """A sentence as it is embedded, matched and read: itself, or for a table row its cells
    paired with the header ("Maker: Aermotor; Units sold: 800,000"), so the row says what its
    numbers are. ``text`` is the sentence's document text."""
    if sentence.kind != ROW:
        return sentence.text
    heads, cells = _cells(table_header(text, sentence)), _cells(sentence.text)
    if len(heads) != len(cells):
        return sentence.text
    return "; ".join(f"{h}: {c}" if h else c for h, c in zip(heads, cells, strict=True) if c)


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")] if row.strip() else []


def table_header(text: str, row: Sentence) -> str:
    """The header row of the table a row sentence belongs to, or "" when the table has none."""
    for block in reversed(blocks(text, extracted(row.source))[: row.paragraph]):
        if block.kind == HEADER:
            return text[block.start : block.end]
        if block.kind != ROW:
            return ""
    return ""


class _Parser:
    """One pass over the lines of an essay (see module docstring)."""

    def __init__(self, text: str, marked: bool = False) -> None:
        self.text = text
        self.marked = marked  # only "#" lines are headings
        self.out: list[Block] = []
        self.path: list[tuple[int, str]] = []  # (level, heading) of the open sections
        self.paragraph: list[tuple[int, int]] = []  # lines of the paragraph being read
        self.item: tuple[int, int, int] | None = None  # (indent, start, end) of the open list item
        self.blank_lines = bool(re.search(r"\n[ \t]*\n", text))
        self.prose = False  # a block other than a heading has been read (a byline comes before)

    def run(self) -> list[Block]:
        lines = _lines(self.text, body_start(self.text))
        fence: str | None = None
        previous_blank = True
        for i, (a, b) in enumerate(lines):
            line = self.text[a:b]
            opened = _FENCE.match(line)
            if fence is not None:
                if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                    fence = None
                continue
            if opened:
                self.close()
                fence = opened.group(1)
                continue
            if not line.strip():
                self.close()
                previous_blank = True
                continue
            following = self.text[lines[i + 1][0] : lines[i + 1][1]] if i + 1 < len(lines) else ""
            self.line(a, b, previous_blank, following)
            previous_blank = False
        self.close()
        return self.out

    def line(self, a: int, b: int, after_blank: bool, following: str) -> None:
        """Read one non-blank line."""
        line = self.text[a:b]
        atx = _ATX.match(line)
        if atx:
            self.close()
            self.heading(len(atx.group(1)), a + atx.start(2), a + atx.end(2))
            return
        if _UNDERLINE.match(line) and len(self.paragraph) == 1 and self.item is None:
            (pa, pb), self.paragraph = self.paragraph[0], []
            self.heading(1 if line.strip()[0] == "=" else 2, pa, pb)
            return
        if _RULE.match(line):
            self.close()
            return
        if _TABLE.match(line):
            self.close()
            if _TABLE_RULE.match(line):
                if self.out and self.out[-1].kind == ROW:
                    last = self.out[-1]
                    self.out[-1] = Block(HEADER, last.start, last.end, last.section, last.number)
                return
            inner_a = a + line.index("|") + 1
            inner_b = a + line.rindex("|")
            self.add(ROW, *self.trim(inner_a, inner_b))
            return
        marker = _MARKER.match(line)
        if marker:
            self.close()
            self.item = (len(marker.group(1)), a + marker.end(), b)
            return
        if not self.prose and not self.paragraph and byline(line):
            self.close()
            return  # "by Priya Raman" near the top is the author (load.top_lines), not a sentence
        quote = _QUOTE.match(line)
        if quote:
            a += quote.end()
        if self.item is not None and not after_blank and line[: len(line) - len(line.lstrip())]:
            indent, start, _ = self.item
            self.item = (indent, start, b)  # an indented line goes on with the item above it
            return
        if self.item is not None:
            self.close()
        if self.paragraph and not self.wraps(self.paragraph[-1]):
            self.close()
        if not self.paragraph and not self.marked and self.is_heading(a, b, after_blank, following):
            self.heading(2 if self.path else 1, *self.trim(a, b))
            return
        self.paragraph.append((a, b))

    def wraps(self, previous: tuple[int, int]) -> bool:
        """True when the line after ``previous`` goes on with its paragraph: the line stops
        mid-sentence, or it is wrap-length in a file that separates paragraphs by blank lines."""
        line = self.text[previous[0] : previous[1]].rstrip()
        ends = line.rstrip(_CLOSERS).endswith((".", "!", "?", "…", ":", ";"))
        return not ends or (self.blank_lines and WRAP_MIN <= len(line) <= WRAP_MAX)

    def is_heading(self, a: int, b: int, after_blank: bool, following: str) -> bool:
        """A short line without closing punctuation that starts a block: a plain-text heading
        ("Why corals bleach"), or a line of bold ("**Costs**")."""
        line, after = self.text[a:b].strip(), following.strip()
        words = line.strip("*_ ").split()
        if not self.out and not self.path and words and byline(after):
            return len(words) <= TITLE_WORDS  # the essay's title above its byline, however long
        if not words or len(words) > HEADING_WORDS or not (words[0][:1].isupper() or words[0][:1].isdigit()):
            return False
        if line.rstrip(_CLOSERS).endswith((".", "!", "?", "…", ",", ";", ":")):
            return False
        if line.startswith("**") and line.endswith("**"):
            return True
        if after and (after[:1].islower() or _ENDS_MIDWAY.search(line)):
            return False  # "Our best year so" / "far was 2018", "... the end of" / "February, ...": a sentence wrapped
        return after_blank or not after or len(after) > len(line)

    def heading(self, level: int, a: int, b: int) -> None:
        words = self.text[a:b].strip().strip("*_").strip()
        self.path = [(lvl, h) for lvl, h in self.path if lvl < level]
        self.add(HEADING, a, b)
        self.path.append((level, words))

    def close(self) -> None:
        """End the open paragraph or list item, adding its block."""
        if self.item is not None:
            _, start, end = self.item
            self.item = None
            self.add(ITEM, *self.trim(start, end))
        if self.paragraph:
            start, end = self.paragraph[0][0], self.paragraph[-1][1]
            self.paragraph = []
            self.add(TEXT, *self.trim(start, end))

    def add(self, kind: str, start: int, end: int) -> None:
        """Append a block under the open sections (a heading's own section is its parents')."""
        if end > start:
            self.out.append(Block(kind, start, end, SEPARATOR.join(h for _, h in self.path), len(self.out)))
            self.prose = self.prose or kind != HEADING

    def trim(self, a: int, b: int) -> tuple[int, int]:
        while a < b and self.text[a].isspace():
            a += 1
        while b > a and self.text[b - 1].isspace():
            b -= 1
        return a, b


def _lines(text: str, start: int) -> list[tuple[int, int]]:
    """(start, end) of each line from offset ``start``, without its newline (or CR LF)."""
    out = []
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        out.append((start, end - 1 if end > start and text[end - 1] == "\r" else end))
        start = end + 1
    return out
