"""The focus of a question: its wording without the names the whole corpus is about.

In essays on Japan–Korea ties almost every passage says "Japan", "Korea", "Seoul" or
"Tokyo". A question that names them ("what areas should Seoul and Tokyo cooperate on?")
gets a vector dominated by those names, so the sentences nearest to it are short ones that
mention both capitals rather than the one that lists the areas. Matching sentences also on
the question without those names ("what areas should cooperate on?") finds what is asked.

The names are found in the corpus itself, so this holds for any folder of essays: a term
counts when it is written capitalised (a proper name, whatever the user types) and occurs
in a large share of the chunks. In a corpus where a name is rare it is kept, since there it
does tell passages apart.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from ..types import Sentence
from .lexical import terms

MIN_CHUNK_SHARE = 0.4  # a name in at least this share of chunks is what the corpus is about
MIN_CAPITALISED = 0.7  # share of mid-sentence occurrences written with a capital letter
_TOKEN = re.compile(r"[\w’'.-]+|[^\w\s]")
_NAME_WORD = re.compile(r"[^\W\d_][\w’'-]*")
_JOINERS = frozenset({"and", "or", "&", ",", "the", "both", "between"})


def corpus_names(in_chunks: Mapping[str, int], chunks: int, sentences: Sequence[Sentence]) -> frozenset[str]:
    """Search terms of the proper names that occur in most of the corpus; ``in_chunks``: how many
    of its ``chunks`` hold each term."""
    if not chunks:
        return frozenset()
    words: list[str] = []
    for sentence in sentences:
        words.extend(_NAME_WORD.findall(sentence.text)[1:])  # a sentence's first word is capitalised anyway
    capitalised: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for word, n in Counter(words).items():  # words repeat: tokenise each spelling once
        found = terms(word)
        if found:
            seen[found[0]] += n
            capitalised[found[0]] += n * word[0].isupper()
    return frozenset(
        t for t, n in in_chunks.items()
        if n / chunks >= MIN_CHUNK_SHARE and seen[t] and capitalised[t] / seen[t] >= MIN_CAPITALISED
    )


def focus_query(question: str, names: frozenset[str]) -> str | None:
    """``question`` without the corpus-wide names (and the "and"/"both" joining them).

    None when it names none of them, or when fewer than two search terms would be left
    ("why is Japan important to Korea?" is all names: there is no other focus to match).
    """
    tokens = _TOKEN.findall(question)
    drop = [bool(found) and all(t in names for t in found) for found in map(terms, tokens)]
    if not any(drop):
        return None
    kept = [
        tok for i, tok in enumerate(tokens)
        if not drop[i]
        and not (tok.lower() in _JOINERS and ((i > 0 and drop[i - 1]) or (i + 1 < len(tokens) and drop[i + 1])))
    ]
    if len([t for tok in kept for t in terms(tok)]) < 2:
        return None
    return " ".join(kept)
