"""Acronyms users type are matched to the names the essays spell out."""

from __future__ import annotations

from rag import Assistant
from rag.retrieve.acronyms import expand_acronyms, lowercase_words, spelled_out_names

TEXT = (
    "Tokyo is in the Comprehensive and Progressive Agreement on Trans-Pacific Partnership. "
    "As South Korea looks on, the Middle for Strategic Research (CSIS) wrote about it. We ask why, as ever."
)


def test_names_are_read_off_the_text_with_their_initials() -> None:
    common = lowercase_words([TEXT])
    names = spelled_out_names([TEXT], common)
    assert names["CPATPP"] == "Comprehensive and Progressive Agreement on Trans-Pacific Partnership"
    assert names["CSIS"] == "Middle for Strategic Research"  # a "Name (ACR)" definition wins
    assert "ASK" not in names  # "As" only opens the sentence: "South Korea" is the name


def test_an_acronym_with_one_word_left_out_is_expanded_in_capitals_or_lower_case() -> None:
    common = lowercase_words([TEXT])
    names = spelled_out_names([TEXT], common)
    full = "Comprehensive and Progressive Agreement on Trans-Pacific Partnership"
    assert expand_acronyms("is korea in the CPTPP?", names, common) == f"is korea in the CPTPP? ({full})"
    assert expand_acronyms("is korea in the cptpp?", names, common).endswith(f"({full})")
    assert expand_acronyms("can I ask?", names, common) == "can I ask?"  # an ordinary word
    assert expand_acronyms("what did CSIS say?", names, common, written=frozenset({"csis"})) == "what did CSIS say?"


def test_a_question_with_an_acronym_the_essays_never_write_finds_both_essays(retriever) -> None:
    answer = Assistant(retriever).ask("what do both authors say about korea and the CPTPP?")
    assert "Trans-Pacific Partnership" in answer.text
    assert {c.passage.source for c in answer.citations} == {
        "cooper-korea-japan-new-chapter.txt", "govella-japan-south-korea-cooperation.txt"}
