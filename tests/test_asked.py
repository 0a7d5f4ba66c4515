"""The kind of fact a question asks for, and whether a quote gives one (rag/answer/asked.py)."""

from __future__ import annotations

import pytest

from rag.answer.asked import asked_kind, gives


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How much did it cost to build the first ferry?", "money"),
        ("what price did her carpet fetch at the exhibition?", "money"),
        ("How much does a monarch butterfly weigh?", ""),  # a weight is no price
        ("In what year was Morwenna Pask born?", "year"),
        ("how many seed packets did the library lend?", "count"),
        ("What was the name of Thomas Brindle's wife?", "name"),
        ("What were the names of Brandvold's two daughters?", "name"),
        ("What is the name of the line separating the two zones?", ""),  # a thing's name may be lower case
        ("How tall is the lighthouse tower?", "number"),
        ("How long did the survey take?", ""),  # a duration is often words: "a year", "several days"
        ("When did the ferry open?", ""),
    ],
)
def test_the_kind_asked_for_is_read_off_the_wording(question: str, kind: str) -> None:
    assert asked_kind(question) == kind


@pytest.mark.parametrize(
    ("question", "quote", "given"),
    [
        ("How much did the ferry cost?", "The ferry carried foot passengers and carts.", False),
        ("How much did the ferry cost?", "It cost £1,200 to build.", True),
        ("what price did the carpet fetch?", "It sold for 86,000 som, more than a horse.", True),  # any currency
        ("How many workers lost their jobs in 1968?", "The works closed in March 1968.", False),  # the asked number
        ("How many workers lost their jobs in 1968?", "Some 340 workers lost their jobs.", True),
        ("How many times had they met?", "They met for the third time.", True),
        ("How many clocks show it?", "A clock reads those times twice.", True),
        ("In what year did he begin?", "He began in the spring.", False),
        ("What year did the Romans invade Britain?", "The invasion of Britain in AD 43 changed it.", True),
        ("In what year did Emperor Ling die?", "Ling (r. 168–189) was followed by warlords.", True),
        ("What was the name of the dealer from Domodossola?", "It sold to a dealer from Domodossola.", False),
        ("What was the name of the dealer from Domodossola?", "The dealer, Carlo Pesenti, came twice.", True),
        ("What is the name of his successor?", "Town Quay is where the successor lived.", True),  # first word, a name
        ("What is the name of his successor?", "The successor lived there.", False),  # first word, not a name
    ],
)
def test_a_quote_gives_the_kind_only_with_a_fact_the_question_lacks(question: str, quote: str, given: bool) -> None:
    assert gives(asked_kind(question), question, quote) is given
