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


def test_definitions_are_found_where_a_scan_of_the_whole_text_finds_them() -> None:
    """Only the words before each "(ACR)" are scanned for its definition: the same matches as the
    whole text gives, wherever commas, line breaks, initials and several definitions fall."""
    from rag.retrieve.acronyms import _DEFINED, _definitions

    texts = [
        TEXT,
        "The U.S. Trade Representative (USTR) and the World Trade Organization (WTO), with Asia (A).",
        "Ministry of Foreign Affairs\n(MOFA) then, Bank of Japan (BOJ) (BOJ2) and J.P. Morgan & Co (JPM)",
        "(ABC) at the start, Council on Foreign Relations (CFR); Korea’s Defense-Industry Board (KDIB)",
    ]
    for text in texts:
        scanned = [m.span() for start, end in _definitions(text) for m in _DEFINED.finditer(text, start, end)]
        assert scanned == [m.span() for m in _DEFINED.finditer(text)], text
    assert len(scanned) == 2  # the last text: CFR and KDIB


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
