"""What shape of answer a question asks for, read off its wording (no index needed)."""

from __future__ import annotations

import pytest

from rag.answer.intent import read_intent
from rag.retrieve.ordinals import lists_inline


@pytest.mark.parametrize("question", [
    "what clubs is japan already in that korea has been left out of?",
    "what jobs does zack cooper currently hold?",
    "which security threats worry them?",
    "What are the parts of the plan?",
    "What three areas are ripe for cooperation?",
    "List the steps Govella proposes.",
    "What are Whitby's methods?",  # past a possessive (E104)
])
def test_questions_asking_for_several_things_are_lists(question: str) -> None:
    assert read_intent(question).list_size


def test_a_possessive_before_the_count_still_makes_a_counted_list() -> None:
    """E104, walk-through 33: "What were the commission's three methods?" quoted one method and the
    lead-in, while "What were the three methods of the commission?" listed all three."""
    intent = read_intent("What were the commission's three methods?")
    assert (intent.list_size, intent.counted) == (3, True)
    assert not read_intent("What was the commission's budget?").list_size


@pytest.mark.parametrize("question", [
    "why does cooper put economic coercion at the top of the to-do list?",  # a reason, not a list
    "what does cooper think about the G7?",  # "does" is not a plural noun
    "how do the two essays differ on regional institutions?",  # a comparison, answered per essay
    "When did UNESCO list Valparaiso as a World Heritage Site?",  # "list" here is a verb (E73)
    "How many steps does Govella propose?",  # a count, not the steps
    "Who pushed for the measures against coercion?",
])
def test_other_questions_are_not_lists(question: str) -> None:
    assert not read_intent(question).list_size


def test_reason_questions_are_recognised() -> None:
    assert read_intent("Why does Japan matter to Korea?").reason
    assert read_intent("what's the point of comparing notes?").reason
    assert read_intent("how does cooper explain why ties improved so fast?").reason
    assert not read_intent("what does Japan want?").reason


def test_a_sentence_that_names_a_series_is_recognised() -> None:
    assert lists_inline("Three areas are ripe: preventing coercion, coordinating deterrence, and building institutions.")
    assert lists_inline("groups such as the G7, the Quad, and the CPTPP")
    assert lists_inline("policies on everything from supply chains to industrial policy to export controls")
    assert not lists_inline("As a result, Seoul and Tokyo are opening a new chapter.")


@pytest.mark.parametrize(("question", "cross"), [
    ("how do the two essays differ on regional institutions?", True),
    ("What is the difference between their views on China?", True),
    ("Where do the authors differ?", True),
    ("What does the council charge to switch a permit to a different car?", False),  # walk-through 8
    ("Can I use my permit in a different zone?", False),
])
def test_a_comparison_is_asked_by_differ_not_by_different(question: str, cross: bool) -> None:
    """"differ" and "difference" ask to compare the essays; "a different car" does not."""
    assert read_intent(question).cross is cross
