"""Misspelt question words are corrected to the essays' own, and nothing else is."""

from __future__ import annotations

import pytest

from rag import Assistant
from rag.retrieve.spelling import Speller, distance

VOCABULARY = ["tariff", "japan", "three", "area", "trace", "hiroshima", "widen", "wider", "bidden", "cooperation",
              "coercion", "ripe"]
SPREAD = {"tariff": 5, "japan": 40, "three": 9, "area": 3, "trace": 2, "hiroshima": 2, "widen": 1, "wider": 3}
KNOWN = {"trade", "what", "which", "face", "does", "areas", "biden"}  # whole words of the model's vocabulary


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(VOCABULARY, KNOWN, lambda t: SPREAD.get(t, 0))


@pytest.mark.parametrize(
    "typed, meant",
    [("waht tarrifs does japn face?", "what tariff does japan face?"),  # two edits in a long word, a question word first
     ("wich thre areas are ripe?", "which three areas are ripe?"),
     ("what happened at hiroshma?", "what happened at hiroshima?"),
     ("Japn and trade", "Japan and trade"),  # capitalised as typed; "trade" is a word, never "trace"
     ("why did Biden act?", "why did Biden act?"),  # a name the model knows is never "Bidden"
     ("what happened at Hiroshma?", "what happened at Hiroshima?"),  # a capitalised word past the first: one edit
     ("what happened at Hroshma?", "what happened at Hroshma?"),  # ... but not two, as "hroshma" would be
     ("did it widem?", "did it wider?"),  # of two one edit away, the one more texts use
     ("what about coopertion and coersion?", "what about cooperation and coercion?")],
)  # fmt: skip
def test_misspelt_words_become_the_essays_words(speller, typed, meant) -> None:
    assert speller.corrected(typed) == meant


def test_a_word_far_from_every_essay_word_is_left_as_typed(speller) -> None:
    assert speller.corrected("what about volcanoes?") == "what about volcanoes?"


def test_a_short_word_is_allowed_one_edit_only(speller) -> None:
    assert speller.corrected("what about ripr and rupa?") == "what about ripe and rupa?"  # "rupa" is two from "ripe"


@pytest.mark.parametrize("a, b, edits", [("tarrif", "tariff", 2), ("japn", "japan", 1), ("hte", "the", 1), ("abc", "xyz", 3)])
def test_distance_counts_drops_adds_changes_and_swaps(a, b, edits) -> None:
    assert distance(a, b, 3) == edits


def test_a_misspelt_question_is_answered_as_if_spelt_right(retriever) -> None:
    got = Assistant(retriever).ask("waht tarrifs does japn face?")
    assert "reciprocal tariffs of 24% and 25%" in got.text, got.text
    assert got.search_query.startswith("what tariff does japan face")
