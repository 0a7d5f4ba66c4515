"""Questions that name an author ("according to Govella, ...") search that author's essays.

Passages rarely contain their author's name, so a name in the question is a filter, not a
search term: it is removed from the text that is matched, unless the question is about
the person ("who is Govella?"), where the name is most of what there is to match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from ..types import Document
from .lexical import STOPWORDS, terms


def named_sources(query: str, documents: Iterable[Document]) -> tuple[frozenset[str], str]:
    """Sources of the essays whose authors the question names, and the query to match on.

    Returns an empty set (no filter) when no author is named or every essay would match; the
    names are left out of the query to match on either way.
    """
    docs = list(documents)
    named, matched_words = _named(query, docs)
    if not named:
        return frozenset(), query
    pattern = r"\b(?:according to\s+)?(?:%s)(?:['’]s)?\b" % "|".join(map(re.escape, matched_words))
    stripped = " ".join(re.sub(pattern, " ", query, flags=re.IGNORECASE).split())
    text = stripped if terms(stripped) else query
    # naming every author ("what do Cooper and Govella say ...?") filters nothing, but the
    # names are still no search terms: matched, they pull in the authors' bio lines
    return (frozenset() if len(named) == len(docs) else frozenset(named)), text


def named_authors(query: str, documents: Iterable[Document]) -> frozenset[str]:
    """The distinct authors the question names."""
    docs = list(documents)
    named, _ = _named(query, docs)
    return frozenset(d.author for d in docs if d.source in named and d.author)


def _named(query: str, docs: list[Document]) -> tuple[set[str], set[str]]:
    """Sources whose author's name (any part of 3+ letters) is a word of the query, and those words.

    A part next to a capitalised word that is not in the author's name names someone else:
    "Edith Marsh" is not the author Helen Marsh (the question's first word aside: "Did Marsh ...?").
    """
    tokens = re.findall(r"[^\W\d_]+", query.replace("’", "'"))
    words = {w.lower() for w in tokens}
    named: set[str] = set()
    matched: set[str] = set()
    for doc in docs:
        parts = name_parts(doc.author or "")
        found = parts & words
        if found and not _someone_else(tokens, parts, found):
            named.add(doc.source)
            matched |= found
    return named, matched


def _someone_else(tokens: list[str], parts: frozenset[str], found: frozenset[str]) -> bool:
    """True when every place the question uses a part of the author's name pairs it with another
    capitalised name ("Edith Marsh", "Marsh Harbour")."""
    def other_name(i: int) -> bool:
        return 0 < i < len(tokens) and tokens[i][:1].isupper() and tokens[i].lower() not in parts

    places = [i for i, t in enumerate(tokens) if t.lower() in found]
    return all(other_name(i - 1) or other_name(i + 1) for i in places)


_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*")  # "O'Neill" and "Smith-Jones" whole
_SUFFIXES = frozenset({"jr", "sr", "snr", "jnr", "phd", "md", "esq", "ii", "iii"})  # "Martin Luther King Jr"


def surname(author: str) -> str:
    """The surname of a byline, as written: its last word of two or more letters before any comma
    ("Smith, Jane", "Jane Smith, Jr." and "Reyes, T." give "Smith", "Smith", "Reyes"), not a suffix."""
    words = [w for w in _NAME_WORD.findall(author.split(",")[0]) if len(w) > 1 and w.lower() not in _SUFFIXES]
    return words[-1] if words else author.strip()


@lru_cache(maxsize=1 << 14)
def name_parts(author: str) -> frozenset[str]:
    """The parts of an author's name a question may use (3+ letters, lower case, no stop word:
    "and" of "Maren Oyelaran and Pieter Lindqvist" names no one), read once per name: every
    question checks every essay's author, a linear cost at thousands of essays."""
    return frozenset(p for p in (w.lower() for w in re.findall(r"[^\W\d_]{3,}", author)) if p not in STOPWORDS)
