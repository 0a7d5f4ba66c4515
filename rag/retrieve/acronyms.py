"""Acronyms users type ("CPTPP", "apec") matched to the names the essays spell out.

Essays often write a name in full ("the Comprehensive and Progressive Agreement on
Trans-Pacific Partnership") while users type its acronym, which then matches nothing
lexically and little by meaning. The names are read off the corpus: runs of capitalised
words (with "and", "of", "on"... between them), and "Full Name (ACR)" definitions. An
acronym matches a name when its letters are the name's initials, allowing one word to be
skipped (CPTPP leaves out the "Agreement"). The question is then searched with the name
added in parentheses, so dense and BM25 matching both see it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from .lexical import STOPWORDS

_JOINERS = r"(?:and|of|on|for|the|&)"
_CAP = r"(?:(?:[A-Z]\.){2,}|[A-Z][\w’']*(?:-[A-Z][\w’']*)*)"  # "U.S.", "Trans-Pacific", "Korea’s"
_RUN = rf"{_CAP}(?: +(?:{_JOINERS} +)*{_CAP})+"  # on one line, not across a full stop
_NAME = re.compile(rf"\b{_RUN}")
_DEFINED = re.compile(rf"({_RUN}) +\(([A-Z][A-Za-z0-9]{{1,9}})\)")
_ACRONYM = re.compile(r"\([A-Z][A-Za-z0-9]{1,9}\)")
_NOT_IN_NAME = re.compile(r"[^\w ’'.&-]")  # none of these is in a _DEFINED match
_AND = re.compile(r" +and(?: +the)? +")
_ASKED = re.compile(r"\b[A-Za-z][A-Za-z0-9]{2,7}\b")
_LOWER = re.compile(r"\b[a-z]+\b")
_LOWER_JOINERS = frozenset({"and", "of", "on", "for", "the", "&"})


def lowercase_words(texts: Iterable[str]) -> frozenset[str]:
    """Words the texts also write in lower case: ordinary words, not names or acronyms."""
    found: set[str] = set()
    for text in texts:
        found.update(_LOWER.findall(text))
    return frozenset(found)


def spelled_out_names(texts: Iterable[str], common: frozenset[str] = frozenset()) -> dict[str, str]:
    """Multi-word capitalised names in ``texts``, keyed by their initials (upper case).

    A sentence's first word is left out when it is a ``common`` word ("As South Korea").
    """
    names: dict[str, str] = {}
    for text in texts:
        for start, end in _definitions(text):
            for match in _DEFINED.finditer(text, start, end):
                names.setdefault(match.group(2).upper(), match.group(1))
        for match in _NAME.finditer(text):
            run = match.group()
            first = run.split(" ", 1)[0]
            if first.lower() in common and text[max(0, match.start() - 2) : match.start()].strip() in ("", "."):
                run = run.split(" ", 1)[1]
            for initials, name in _names_in(run):
                names.setdefault(initials, name)
    return names


@lru_cache(maxsize=1 << 14)
def _names_in(run: str) -> tuple[tuple[str, str], ...]:
    """The names a run of capitalised words holds, with their initials (cached: runs repeat)."""
    # "the Asia Pacific Economic Cooperation Summit and the East Asia Summit" holds two names
    found = ((_initials(name), name.strip()) for name in [run, *_AND.split(run)])
    return tuple((initials, name) for initials, name in found if len(initials) >= 3 and " " in name)


def _definitions(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` where a "Full Name (ACR)" definition can be: each "(ACR)" with the words
    before it back to the last character no name holds (a comma, a line break). Scanning only
    them finds the same definitions as scanning the whole text, several times faster."""
    spans = []
    for match in _ACRONYM.finditer(text):
        before = _NOT_IN_NAME.search(text[: match.start()][::-1])
        spans.append((match.start() - before.start() if before else 0, match.end()))
    return spans


def expand_acronyms(
    question: str, names: dict[str, str], common: frozenset[str] = frozenset(), written: frozenset[str] = frozenset()
) -> str:
    """``question`` with the full name added after each acronym the essays spell out.

    An acronym is typed in capitals ("CPTPP") or, when it is not a ``common`` word of the
    essays and has four letters or more, in lower case ("cptpp"). Words in ``written`` (the
    essays' own search terms) are left alone.
    """
    added: list[str] = []
    for word in dict.fromkeys(_ASKED.findall(question)):
        typed_lower = word.islower() and len(word) >= 4 and word not in common and word not in STOPWORDS
        if not (word.isupper() or typed_lower) or word.lower() in written:
            continue  # "Japan" and "ask" are words, not acronyms
        for name in _names_for(word.upper(), names):
            if name.lower() not in question.lower() and name not in added:
                added.append(name)
    if not added:
        return question
    return f"{question} ({'; '.join(added)})"


def _names_for(acronym: str, names: dict[str, str]) -> list[str]:
    """The names ``acronym`` stands for: exact initials first, then one-word-short matches."""
    exact = [names[acronym]] if acronym in names else []
    near = [name for initials, name in names.items() if _abbreviates(acronym, initials)]
    return (exact + near)[:3] if len(near) <= 2 else exact


def _abbreviates(acronym: str, initials: str) -> bool:
    """True when ``acronym`` is ``initials`` with at most one letter (not the first) left out."""
    if len(initials) != len(acronym) + 1 or acronym[0] != initials[0]:
        return False
    return any(initials[:i] + initials[i + 1 :] == acronym for i in range(1, len(initials)))


def _initials(name: str) -> str:
    words = [w for w in re.split(r"[\s-]+", name) if w and w.lower() not in _LOWER_JOINERS]
    return "".join(w[0] for w in words).upper()
