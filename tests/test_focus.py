"""The question's focus: the corpus-wide names are found in the essays and left out of it."""

from __future__ import annotations

from rag import Assistant
from rag.retrieve.focus import focus_query


def test_corpus_names_are_the_capitalised_names_most_passages_mention(retriever) -> None:
    names = retriever.corpus_names
    assert {"japan", "korea", "seoul", "tokyo"} <= names
    assert "bilateral" not in names  # frequent, but not a name
    assert "kishida" not in names  # a name, but only in a few passages


def test_focus_drops_the_names_and_the_words_joining_them(retriever) -> None:
    names = retriever.corpus_names
    assert focus_query("what areas should Seoul and Tokyo cooperate on?", names) == "what areas should cooperate on ?"
    assert focus_query("what did Kishida do at the G7?", names) is None  # no corpus-wide name in it
    assert focus_query("why is Japan important to Korea?", names) is None  # nothing but names would be left


def test_sentence_matching_uses_the_focus(retriever) -> None:
    """Without the focus, short sentences naming both capitals outrank the one listing the areas."""
    answer = Assistant(retriever).ask("what are the areas cooper thinks seoul and tokyo should cooperate on next?")
    assert "Three areas are ripe for cooperation" in answer.text
    assert "both allies of Washington" not in answer.text
