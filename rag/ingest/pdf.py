"""Text out of a PDF's text layer, written as Markdown (see formats.py for the other formats).

Lines are rebuilt from the text layer with their font size and position; a larger or bold
short line is a heading (one wrapped over two lines is one heading), a wider gap between lines
ends a paragraph, page numbers and running headers repeated on most pages (a page's first,
last, topmost or bottommost line) are dropped, a paragraph broken by a page break is joined
again, and ligatures ("ﬁ") are written as letters. A line starting with a bullet or "1." opens
a list item, and so does each sentence-opening line of a run set in from the margin (a browser
draws a list's bullets as shapes, not text). A table's cells, found by where its text pieces
stand, become pipe rows. A PDF without a text layer (a scan) is Unreadable.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .formats import Extracted, Unreadable, ends_sentence, generated_title, pipe_table

@dataclass
class _Line:
    x: float  # where the line starts
    y: float
    size: float
    bold: bool
    text: str
    rows: list[list[str]] = field(default_factory=list)  # a table's rows, when the line stands for one


@dataclass
class _Cell:
    """Consecutive text pieces of one box: a table cell, or a paragraph outside any table."""

    x: float  # its left edge
    top: float  # the y of its first line and of its last
    bottom: float
    end: float  # where its last piece ends, estimated from its characters
    size: float
    parts: list[tuple[int, str, float]]  # (index, text, estimated width) of its pieces

    @property
    def text(self) -> str:
        return " ".join(text for _, text, _ in self.parts)


def pdf_text(raw: bytes) -> Extracted:
    """A PDF's text layer as paragraphs and headings."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(raw))
    if reader.is_encrypted and not reader.decrypt(""):
        raise Unreadable("it is encrypted with a password")
    pages = [_page_lines(page) for page in reader.pages]
    info: Any = reader.metadata or {}
    if not any(pages):
        raise Unreadable(
            "it has no text layer (a scanned PDF?): run OCR on it first (for example `ocrmypdf in.pdf out.pdf`)"
        )
    pages = _without_running_lines(pages)
    lines = [line for page in pages for line in page]
    body = _body_size(lines)
    sizes = sorted({round(ln.size) for ln in lines if ln.size >= body * 1.15}, reverse=True)
    blocks: list[str] = []
    previous: _Line | None = None
    in_item = False  # the last block is a list item
    gap = _line_gap(pages)
    drawn = _drawn_bullets(pages, body, sizes, gap)
    for page_number, page in enumerate(pages):
        heading: _Line | None = None  # the heading line just read, which the next line may wrap on
        for i, line in enumerate(page):
            if line.rows:
                blocks.append(pipe_table(line.rows))
                previous, in_item, heading = None, False, None
                continue
            level = _heading_level(line, body, sizes)
            if level and heading is not None and _wraps_heading(heading, line, level, body, sizes):
                blocks[-1] += " " + line.text  # a title too long for one line is one heading
                heading = line
                continue
            heading = line if level else None
            if level:
                blocks.append("#" * level + " " + line.text)
                previous = None
                continue
            if (page_number, i) in drawn and not _PDF_ITEM.match(line.text):  # a written marker is read below
                blocks.append("- " + line.text)
                in_item, previous = True, line
                continue
            # a list item starts a block of its own, "- ..." as in Markdown; not a line that carries on
            # a sentence ("the war" / "– and its aftermath": a dash wrapped to the line's start)
            opens = previous is None or in_item or ends_sentence(previous.text)
            item = _PDF_ITEM.match(line.text) if opens else None
            item_ended = in_item and previous is not None and ends_sentence(previous.text)  # not wrapped on
            continues = previous is not None and not item and not item_ended and (
                (i > 0 and previous.y - line.y <= gap * 1.3 and not _level_of(page[i - 1], body, sizes)
                 and (previous.y > line.y or not ends_sentence(previous.text)))  # a line above: a new column
                or (i == 0 and page_number > 0 and not ends_sentence(previous.text) and line.text[:1].islower())
            )
            if continues and blocks:
                blocks[-1] = _join(blocks[-1], line.text)
            else:
                blocks.append(f"- {line.text[item.end():]}" if item and item.group(1) else line.text)
                in_item = bool(item)
            previous = line
    meta = {
        key: str(info.get(name)).strip()
        for key, name in (("title", "/Title"), ("author", "/Author"))
        if info.get(name) and str(info.get(name)).strip() and not generated_title(str(info.get(name)))
    }
    return Extracted("\n\n".join(blocks) + "\n", meta)


def _drawn_bullets(pages: list[list[_Line]], body: float, sizes: list[int], gap: float) -> set[tuple[int, int]]:
    """(page, line) of each line that opens a list item whose bullet is drawn as a shape, not
    written (a browser's printed list): in a run of lines set in from their column's margin by
    the same amount, one below the other, the first and each after a line that ends a sentence.
    A run is a list when two or more of its lines end a sentence short of its longest line (a
    quoted block, set in too, runs to its full width until its last line; a first-line indent
    is a run of one)."""
    starts = Counter(round(ln.x) for page in pages for ln in page)
    common = [x for x, n in starts.items() if n >= 0.1 * sum(starts.values())]
    margins = [x for x in common if not any(x - 6 * body < m < x for m in common)]  # each column's left edge
    out: set[tuple[int, int]] = set()
    for p, page in enumerate(pages):
        run: list[int] = []
        for i, line in enumerate([*page, None]):
            inset = line is not None and not _level_of(line, body, sizes) and _set_in(line, margins)
            if inset and line is not None and (not run or abs(page[run[-1]].x - line.x) <= 1
                                               and 0 < page[run[-1]].y - line.y <= gap * 1.3):
                run.append(i)
                continue
            texts = [page[k].text for k in run]
            longest = max(map(len, texts), default=0)
            if sum(ends_sentence(t) and len(t) < 0.85 * longest for t in texts) >= 2:
                out |= {(p, k) for n, k in enumerate(run) if n == 0 or ends_sentence(texts[n - 1])}
            run = [i] if inset else []
    return out


def _set_in(line: _Line, margins: list[int]) -> bool:
    """True when ``line`` starts at least 0.8 em right of the nearest margin on its left."""
    left = [m for m in margins if m <= line.x + 1]
    return bool(left) and line.x - max(left) >= 0.8 * line.size


def _page_lines(page: Any) -> list[_Line]:
    """The page's text lines, top to bottom, each with its font size and boldness."""
    pieces: list[tuple[float, float, float, bool, str]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if not text:
            return
        scale = abs(float(tm[3]) * float(cm[3])) or 1.0
        x = float(cm[0]) * float(tm[4]) + float(cm[4])
        y = float(cm[3]) * float(tm[5]) + float(cm[5])
        name = str(font.get("/BaseFont", "")) if font else ""
        pieces.append((x, y, float(size) * scale, bool(re.search(r"bold|black|heavy|semibold", name, re.I)), text))

    page.extract_text(visitor_text=visit)
    tables = {start: (end, rows) for start, end, rows in _tables(pieces)}
    lines: list[_Line] = []
    skip_to = -1
    for n, (x, y, size, bold, text) in enumerate(pieces):
        if n in tables:
            skip_to, rows = tables[n]
            lines.append(_Line(x, y, size, False, " ".join(c for row in rows for c in row), rows))
            lines.append(_Line(x, y, size, False, ""))  # nothing after the table joins its line
        if n <= skip_to:
            continue
        for k, part in enumerate(text.split("\n")):
            if lines and k == 0 and abs(lines[-1].y - y) < max(size, 1.0) * 0.5:
                last = lines[-1]
                last.text += part
                last.bold = last.bold and (bold or not part.strip())
                last.size = max(last.size, size)
            elif part.strip() or k == 0:
                lines.append(_Line(x, y, size, bold, part))
    out = []
    for line in lines:
        line.text = " ".join(line.text.translate(_LIGATURES).split())
        if line.text:
            out.append(line)
    return out


def _tables(pieces: list[tuple[float, float, float, bool, str]]) -> list[tuple[int, int, list[list[str]]]]:
    """The tables among a page's text pieces (in content order): (first piece, last piece, rows).

    Pieces make cells (a piece one line below the last at its left edge, or on its line within an
    em of its end and not where other pieces start, goes on with it), cells make rows (a cell
    right of the last and beside it on the page joins its row), and a run of rows of two or more
    cells is a table when at least three column edges are each shared by two of its rows, every
    cell lies in a column of its own, and its cells are short (a median of at most 60 characters):
    paragraphs and page columns are not.
    """
    starts = Counter(round(x) for x, _, _, _, text in pieces if text.strip())
    cells: list[_Cell] = []
    for n, (x, y, size, _, raw) in enumerate(pieces):
        text = " ".join(raw.translate(_LIGATURES).split())
        if not text:
            continue
        c = cells[-1] if cells else None
        edge = sum(starts[round(x) + d] for d in (-1, 0, 1)) > 1  # other pieces start here too: a column's
        below = c is not None and abs(x - c.x) <= 2 and 0 < c.bottom - y <= 2.2 * size
        along = c is not None and not edge and abs(c.bottom - y) < 0.5 * size and c.end - size <= x <= c.end + size
        width = 0.55 * size * len(text)
        if c is not None and (below or along):
            c.parts.append((n, text, width))
            c.bottom, c.end = min(c.bottom, y), x + width
        else:
            cells.append(_Cell(x, y, y, x + width, size, [(n, text, width)]))
    rows: list[list[_Cell]] = []
    for c in cells:
        row = rows[-1] if rows else None
        if row is not None and c.x > row[-1].x + 2 and c.top >= min(r.bottom for r in row) - 0.5 * c.size \
                and c.bottom <= max(r.top for r in row) + 0.5 * c.size:  # fmt: skip
            row.append(c)
        else:
            rows.append([c])
    out: list[tuple[int, int, list[list[str]]]] = []
    run: list[list[_Cell]] = []
    for row in [*rows, []]:
        if len(row) >= 2:
            run.append(row)
            continue
        if len(run) >= 2 and (table := _as_table(run)):
            out.append((run[0][0].parts[0][0], run[-1][-1].parts[-1][0], table))
        run = []
    return out


def _as_table(run: list[list[_Cell]]) -> list[list[str]]:
    """The rows of ``run`` as table rows, one text per column, or [] when it is no table (see
    _tables). A paragraph right above the table at its left edge was read into its first cell:
    its lines, wider than that column, are left out of the table (``run`` is trimmed)."""
    edges: list[float] = []  # the left edges of the cells, two points apart at least
    for c in (c for row in run for c in row):
        if all(abs(e - c.x) > 2 for e in edges):
            edges.append(c.x)
    columns = sorted(e for e in edges if sum(any(abs(c.x - e) <= 2 for c in row) for row in run) >= 2)
    lengths = sorted(len(c.text) for row in run for c in row)
    if len(columns) < 3 or lengths[len(lengths) // 2] > 60:
        return []
    first = run[0][0]
    while len(first.parts) > 1 and first.parts[0][2] > columns[1] - columns[0] + first.size:
        first.parts.pop(0)
    table = []
    for row in run:
        texts = [""] * len(columns)
        for c in row:  # a centred header or a number set right lies within its column
            k = max((k for k, e in enumerate(columns) if e <= c.x + 2), default=-1)
            if k < 0 or texts[k]:
                return []
            texts[k] = c.text
        table.append(texts)
    return table


def _without_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Drop page numbers, and a short first or last line repeated on most pages (a running header
    or footer such as "Journal of Mills · 2024 · page 3")."""
    if len(pages) < 2:
        return [[ln for ln in page if not _PAGE_NUMBER.fullmatch(ln.text)] for page in pages]
    edges = Counter(
        _digitless(ln.text) for page in pages for ln in {id(x): x for x in _edge_lines(page)}.values()
        if len(ln.text.split()) <= RUNNING_WORDS
    )
    repeated = {text for text, n in edges.items() if n >= max(2, len(pages) // 2 + 1)}
    return [
        [ln for ln in page if not _PAGE_NUMBER.fullmatch(ln.text) and _digitless(ln.text) not in repeated]
        for page in pages
    ]


def _edge_lines(page: list[_Line]) -> list[_Line]:
    """The lines a running header or footer may be: first and last in the content stream, and
    topmost and bottommost on the page (a browser's print header is drawn after the page's text)."""
    if not page:
        return []
    return [page[0], page[-1], max(page, key=lambda ln: ln.y), min(page, key=lambda ln: ln.y)]


RUNNING_WORDS = 12  # a running header or footer is a short line
# typographic ligatures as their letters: "ﬁnal" was read "ﬁ ##nal" by the model and matched no "final" in a question
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st"})  # fmt: skip
_PAGE_NUMBER = re.compile(r"(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?|[-–]\s*\d{1,4}\s*[-–]", re.I)


def _digitless(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _body_size(lines: list[_Line]) -> float:
    """The font size most of the text is set in."""
    weights: Counter[float] = Counter()
    for line in lines:
        weights[round(line.size, 1)] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 10.0


def _line_gap(pages: list[list[_Line]]) -> float:
    """The usual distance between two lines of one paragraph."""
    gaps = Counter(
        round(a.y - b.y, 1) for page in pages for a, b in zip(page, page[1:]) if 0 < a.y - b.y < 3 * a.size
    )
    return gaps.most_common(1)[0][0] if gaps else 14.0


def _heading_level(line: _Line, body: float, sizes: list[int]) -> int:
    """The line's heading level (0: not a heading); a line set larger than the body may end in
    "?" ("Why change the ticketing system?"), a bold one in the body size may not."""
    level = _level_of(line, body, sizes)
    larger = line.size >= body * 1.15 and line.text.rstrip(" ”\"’')]").endswith("?")
    return level if level and len(line.text.split()) <= 16 and (larger or not ends_sentence(line.text)) else 0


def _wraps_heading(above: _Line, line: _Line, level: int, body: float, sizes: list[int]) -> bool:
    """True when ``line`` carries on the heading line ``above``: the same level, size and weight,
    on the next line down, and ``above`` not closed by a stop or colon."""
    return (
        _heading_level(above, body, sizes) == level
        and round(above.size) == round(line.size)
        and above.bold == line.bold
        and 0 < above.y - line.y <= 1.8 * line.size
        and not ends_sentence(above.text)
    )


def _level_of(line: _Line, body: float, sizes: list[int]) -> int:
    """1, 2 ... for a line set larger than the body (the largest size is 1), 3 for a short bold
    line in the body size, 0 for body text."""
    if line.size >= body * 1.15 and round(line.size) in sizes:
        return min(sizes.index(round(line.size)) + 1, 3)
    if line.bold and len(line.text.split()) <= 12 and not ends_sentence(line.text):
        return 3
    return 0


_PDF_ITEM = re.compile(r"^\s*(?:([-•▪◦*–])|\d{1,2}[.)])\s+(?=\S)")  # a bullet (group 1) or "1." / "1)"


def _join(paragraph: str, line: str) -> str:
    """A paragraph with its next line: a word hyphenated at the line end is joined again."""
    if re.search(r"[a-z]-$", paragraph) and line[:1].islower():
        return paragraph[:-1] + line
    return paragraph + " " + line
