"""Sentence spans with exact offsets, for quoting verbatim.

A rule-based splitter: lines are hard boundaries (essays put headings and paragraphs on
their own lines); inside a line a sentence ends at . ! or ? (plus closing quotes or
brackets) when the next word starts like a sentence. Initials and common abbreviations
("U.S.", "Dr.", "Ph.D.") do not end a sentence. A missing space after a full stop
("two years.Cooperative") still splits.
"""

from __future__ import annotations

import re
import unicodedata

_LINE = re.compile(r"[^\n]+")
# End punctuation, optional closing quotes/brackets, then whitespace or a capital letter.
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9]|[A-Z][a-z])")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st vs fig figs gen gov sen rep col lt sgt capt "
    "inc ltd co corp dept univ approx est jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_WORDS = re.compile(r"\w+")
_INITIALS = re.compile(r"(?:\b[A-Za-z]\.)+[A-Za-z]?$|\b(?:[A-Z][a-z]?\.){2,}$|Ph\.D$")


def sentence_spans(text: str, start: int = 0, end: int | None = None, wrapped: bool = False) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences in ``text[start:end]``, trimmed of whitespace.

    Lines are hard boundaries unless ``wrapped`` (one paragraph broken over lines)."""
    stop = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    ranges = [(start, stop)] if wrapped else [(m.start(), m.end()) for m in _LINE.finditer(text, start, stop)]
    for line_start, line_end in ranges:
        cursor = line_start
        for match in _END.finditer(text, line_start, line_end):
            if _is_abbreviation(text, cursor, match.start()):
                continue
            _add(spans, text, cursor, match.end())
            cursor = match.end()
        _add(spans, text, cursor, line_end)
    return spans


def has_words(text: str) -> bool:
    """True when ``text`` holds at least one letter or digit."""
    return any(ch.isalnum() for ch in text)


_CLOSERS = " \t\n”\"’')]"


def is_question(sentence: str) -> bool:
    """True for a sentence that asks ("Why ... recommit to cooperation now?")."""
    return sentence.rstrip(_CLOSERS).endswith("?")


def is_heading(sentence: str) -> bool:
    """True for a line with no closing punctuation ("US ally downside: Disruption trumps stability")."""
    return not sentence.rstrip(_CLOSERS).endswith((".", "!", "?", "…"))


def normalize(text: str) -> str:
    """Case-, accent- and spacing-insensitive form, used to spot repeated text."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORDS.findall(folded))


def _is_abbreviation(text: str, sentence_start: int, dot: int) -> bool:
    """True when the full stop at ``dot`` ends an abbreviation or initials, not a sentence."""
    if text[dot] != ".":
        return False
    token = _word_before(text, sentence_start, dot)
    if token.lower() in _ABBREVIATIONS:
        return True
    # "U.S", "B.A", "M.P.A", "Ph.D", a single initial like "J"
    return bool(_INITIALS.search(token + ".")) or (len(token) == 1 and token.isupper())


def _word_before(text: str, start: int, end: int) -> str:
    """The run of word characters and dots that ends ``text[start:end]`` (before one final line
    break): what ``re.search(r"[\w.]*$", text[start:end])`` finds, without scanning the whole
    sentence again for every full stop in it."""
    if end > start and text[end - 1] == "\n":
        end -= 1
    begin = end
    while begin > start and (text[begin - 1].isalnum() or text[begin - 1] in "._"):
        begin -= 1
    return text[begin:end]


def _add(spans: list[tuple[int, int]], text: str, begin: int, finish: int) -> None:
    while begin < finish and _is_space(text[begin]):
        begin += 1
    while finish > begin and _is_space(text[finish - 1]):
        finish -= 1
    if finish > begin and has_words(text[begin:finish]):
        spans.append((begin, finish))


def _is_space(ch: str) -> bool:
    return ch.isspace() or ch in "\u00a0\u200b\ufeff"
