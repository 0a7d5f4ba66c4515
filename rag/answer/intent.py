"""What shape of answer a question wants: a list, a comparison, a number, an author, an item."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..retrieve.ordinals import asked_ordinal

NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_LIST = re.compile(
    r"\b(list|steps|areas|ways|groups|kinds|types|measures|recommendations|proposals|points|"
    r"challenges|threats|reasons|factors|institutions|initiatives|pressures)\b"
    r"|\b(what|which)\s+(are\s+the\s+)?(two|three|four|five|six|several|main|key)\b"
)
_CROSS = re.compile(
    r"\bboth\s+(authors?|essays?|writers?|pieces?|articles?)\b|\bcompare\b|\bcomparison\b|"
    r"\beach\s+(author|essay|writer)\b|\bdiffer|\bin common\b|\bagree\b|\bthe two (essays|authors)\b"
)
_QUANTITY = re.compile(
    r"\bhow (many|much)\b|\bwhat (percentage|percent|number|amount|share|figure)\b|"
    r"\bbudget\b|\bhow (big|large)\b|\bwhat year\b"
)
_AUTHORSHIP = re.compile(
    r"\bwho (wrote|is the author|authored|penned|is the writer)\b|\bwhose (essay|piece|article)\b"
    r"|\bwho('s| is) (the )?(writer|author)\b"
)


@dataclass(frozen=True)
class Intent:
    """Signals read off the question's wording."""

    list_size: int  # 0 for not a list question, else how many items to gather
    cross: bool  # asks about several essays or authors at once
    quantity: bool  # asks for a number, so an answer without digits is no answer
    authorship: bool  # asks who wrote the text under discussion
    ordinal: int  # 1.. for "the second one", -1 for "the last", 0 for none


def read_intent(question: str) -> Intent:
    """The intent of ``question`` (the user's own words, before follow-up resolution)."""
    q = question.lower()
    count = next((n for w, n in NUMBER_WORDS.items() if re.search(rf"\b{w}\b", q)), 0)
    is_list = bool(_LIST.search(q)) and not _QUANTITY.search(q)
    ordinal = asked_ordinal(q)
    return Intent(
        list_size=(count or 4) if is_list and not ordinal else 0,
        cross=bool(_CROSS.search(q)),
        quantity=bool(_QUANTITY.search(q)),
        authorship=bool(_AUTHORSHIP.search(q)),
        ordinal=ordinal,
    )
