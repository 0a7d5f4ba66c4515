"""Enumerations in essays ("First, ...", "Second on the list ...") and ordinals in questions."""

from __future__ import annotations

import re

ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1, "final": -1}
_OPENERS = {1: ("to start with", "to begin with", "step one", "first up", "firstly")}
_LAST = re.compile(r"(finally|lastly|last|third and finally|fourth and finally|fifth and finally)\b")


ITEM_WORDS = ("one", "ones", "point", "step", "area", "item", "idea", "thing", "priority", "proposal", "recommendation",
              "suggestion")  # what "the second ..." may name: "the second one", "the first step"
_ITEM = "(" + "|".join(ITEM_WORDS) + ")"


def asked_ordinal(question: str) -> int:
    """1.. for 'the second one', -1 for 'the last', 0 when the question names no position.

    Only an ordinal that stands for an item counts ("the third?", "the first step"), not one
    that describes something else ("the last serious attempt", "when did they first meet").
    """
    q = question.lower()
    for word, n in ORDINALS.items():
        if re.search(rf"\bthe {word}\b(?=\s+{_ITEM}\b|\s*[?.!,]|\s*$)", q):
            return n
    return 0


def starts_with_ordinal(sentence: str, ordinal: int) -> bool:
    """True when a sentence opens enumerated item ``ordinal``: 'Second, ...', 'Third and finally, ...'."""
    head = sentence.lstrip("“\"'(").lower()[:60]
    nth = _THE_NTH.match(head)  # "The second is a buried crust ...", "The first warning sign is ..."
    head = head[nth.start(1) :] if nth else head
    if ordinal == -1:
        return bool(_LAST.match(head))
    names = [w for w, n in ORDINALS.items() if n == ordinal] + list(_OPENERS.get(ordinal, ()))
    return any(re.match(rf"{re.escape(n)}\b", head) for n in names)


_THE_NTH = re.compile(  # "The first warning sign is ...": group 1 the ordinal, the match up to "is"
    r"the\s+(first|second|third|fourth|fifth|last|final)\b(?:\s+[\w-]+){0,2}?\s+(?:is|was)\s+", re.I
)
def enumerates(sentence: str) -> bool:
    """True when a sentence opens with any ordinal marker."""
    return any(starts_with_ordinal(sentence, n) for n in (1, 2, 3, 4, 5, -1))


_SERIES = re.compile(
    r", [^,;:.]{1,50}, (?:and|or)(?: even| also)? \w"  # "a, b, and c"
    r"|(?::|\bsuch as|\bincluding) [^,;.]{1,60}, [^,;.]{1,60}(?:,| and | or )"  # "areas: a, b and c"
    r"|\bfrom [^,;.]{1,50} to [^,;.]{1,50} to "  # "everything from a to b to c"
    r"|: [^;:]{3,200}; [^;:]{3,200};? (?:and|or) \w"  # "three reasons: a, which ...; b, ...; and c"
)


def lists_inline(sentence: str) -> bool:
    """True when a sentence itself names a series: "three areas: a, b, and c", "x, y and z"."""
    return bool(_SERIES.search(sentence))
