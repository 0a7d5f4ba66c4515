"""Retriever.search: the right passage first, contract fields, verbatim quotes, no duplicates."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from rag import Passage, QueryError, Retriever

COOPER = "cooper-korea-japan-new-chapter.txt"
GOVELLA = "govella-japan-south-korea-cooperation.txt"
OPENING = "On the sidelines of the G7 Summit, President Yoon and Prime Minister Kishida met"

# (question, verbatim phrase the first passage must contain). Several use the real terms where
# the spun essay has substitutes (martial law / martial regulation, WTO / World Commerce Group,
# natural gas / pure gasoline, associate / affiliate professor, House / Home of Representatives,
# defense / protection spending), several name an author.
FIRST_HITS = [
    ("When did Yoon declare martial law?", "declared martial regulation in December 2024"),
    ("Why has the WTO been stalled?", "World Commerce Group has been stalled by disagreements"),
    (
        "What reciprocal tariffs do Japan and South Korea face?",
        "reciprocal tariffs of 24% and 25% respectively",
    ),
    (
        "What did the SK Group chairman propose about buying liquefied natural gas from the US?",
        "collectively buying liquefied pure gasoline",
    ),
    (
        "How many US-Korea-Japan dialogues have been held since the Camp David summit?",
        "over 80 US-Korea-Japan dialogues",
    ),
    (
        "What three areas are ripe for cooperation between South Korea and Japan?",
        "Three areas are ripe for cooperation",
    ),
    ("What did Yoon call Kishida's decision to join him at the Hiroshima memorial?", "“brave act.”"),
    ("What does Zack Cooper say about extended deterrence?", "extended deterrence"),
    (
        "According to Govella, which trade partnership might South Korea join?",
        "Complete and Progressive Trans-Pacific Partnership",
    ),
    ("Who is Zack Cooper?", "Zack Cooper is a senior fellow at the American Enterprise Institute"),
    ("Where is Kristi Govella an associate professor?", "affiliate professor of Japanese politics"),
    ("Which groups such as the Quad is Tokyo already integrated into?", "Quadrilateral Security Dialogue"),
    ("Where will the APEC summit be held in November?", "APEC summit in Gyeongju"),
    (
        "What bipartisan legislation did the US House of Representatives introduce?",
        "inter-parliamentary dialogue",
    ),
    ("How long has South Korea been in political limbo?", "political limbo for the previous six months"),
    (
        "What pressure does the US put on Japan and South Korea to boost defense spending?",
        "spice up their protection spending",
    ),
    (
        "What economic pressure have South Korea and Japan faced from China?",
        "economic pressure from China over the last decade",
    ),
    ("Will Lee Jae-myung attend the G7 summit in June?", "attending the June summit of the G7"),
]

# Questions the current retriever does not answer first; kept visible, not hidden.
KNOWN_MISSES = [
    (
        "Could Tokyo and Seoul push forward without Washington?",
        "Tokyo and Soul might must push ahead bilaterally with out Washington",
        "spun text spells Seoul 'Soul' and 'without' 'with out'; ranks 3rd behind Cooper's"
        " 'Seoul and Tokyo are both allies of Washington'",
    ),
]


def document_text(seeds_dir: Path, source: str) -> str:
    return (seeds_dir / source).read_bytes().decode("utf-8-sig")


def normalized(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.findall(r"\w+", folded))


@pytest.fixture(scope="module")
def top5(retriever: Retriever):
    """retriever.search(question, k=5), computed once per question in this module."""
    cache: dict[str, list[Passage]] = {}

    def search(question: str) -> list[Passage]:
        if question not in cache:
            cache[question] = retriever.search(question, k=5)
        return cache[question]

    return search


@pytest.fixture(scope="module")
def sidecar(seeds_dir: Path) -> dict:
    return json.loads((seeds_dir / "metadata.json").read_text(encoding="utf-8"))


# -- ranking -----------------------------------------------------------------------------


@pytest.mark.parametrize(("question", "phrase"), FIRST_HITS, ids=[q for q, _ in FIRST_HITS])
def test_right_passage_ranks_first(top5, question: str, phrase: str) -> None:
    passages = top5(question)

    assert passages, question
    assert phrase in passages[0].text, [p.quote[:80] for p in passages]


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        pytest.param(q, p, marks=pytest.mark.xfail(reason=f"retrieval miss: {why}", strict=False))
        for q, p, why in KNOWN_MISSES
    ],
    ids=[q for q, _, _ in KNOWN_MISSES],
)
def test_right_passage_ranks_first_known_misses(top5, question: str, phrase: str) -> None:
    passages = top5(question)

    assert phrase in passages[0].text, [p.quote[:80] for p in passages]


def test_question_naming_an_author_searches_that_authors_essay(retriever: Retriever) -> None:
    for question, source in [
        ("What does Cooper say about China?", COOPER),
        ("What does Govella say about China?", GOVELLA),
    ]:
        assert retriever.search(question, k=3)[0].source == source, question


@pytest.mark.parametrize(
    ("question", "filtered"),
    [("When did Edith Marsh run the station?", False), ("What did Alfred Marsh do in 1914?", False),
     ("What does Marsh Harbour look like?", False), ("What does Marsh say about otters?", True),
     ("Did Marsh count the otters?", True), ("What does Helen Marsh say?", True), ("according to marsh, why?", True)],
)
def test_a_surname_next_to_another_name_is_someone_else_not_the_author(question: str, filtered: bool) -> None:
    """An essay by Helen Marsh does not hide the others when the question asks about Edith Marsh
    (a user's answer sat in a table row of another essay and was refused)."""
    from rag.retrieve.authors import named_sources
    from rag.types import Document

    docs = [Document("otters.html", "text", "Otters", "Helen Marsh", "0"), Document("light.md", "text", "Light", "Tom Reed", "1")]
    allowed, _ = named_sources(question, docs)
    assert allowed == (frozenset({"otters.html"}) if filtered else frozenset()), question



@pytest.mark.parametrize(("question", "filtered"), [
    ("What are the three goals of the bus and cycling plan?", False), ("Will the fence stay up?", False),
    ("What does Lindqvist say about the fence?", True),
])  # fmt: skip
def test_a_stop_word_of_a_byline_names_no_author(question: str, filtered: bool) -> None:
    """Walk-through 28: the byline "Dr. Maren Oyelaran and Pieter Lindqvist" made every question
    with "and" search only their report, and a question about another essay was refused."""
    from rag.retrieve.authors import named_sources
    from rag.types import Document

    docs = [Document("plover.pdf", "text", "Plovers", "Dr. Maren Oyelaran and Pieter Lindqvist", "0"),
            Document("plan.docx", "text", "Plan", "Will Brill", "1")]  # fmt: skip
    allowed, _ = named_sources(question, docs)
    assert allowed == (frozenset({"plover.pdf"}) if filtered else frozenset()), question

# -- passage fields ----------------------------------------------------------------------


def test_passage_fields_follow_the_contract(top5, seeds_dir: Path, sidecar: dict) -> None:
    questions = ("Who is Zack Cooper?", "What tariffs do Japan and Korea face?", "trilateral cooperation")
    for question in questions:
        passages = top5(question)
        assert len(passages) == 5
        for p in passages:
            assert isinstance(p, Passage)
            assert p.source in (COOPER, GOVELLA)  # relative to the seeds folder
            assert (seeds_dir / p.source).is_file()
            assert p.title == sidecar[p.source]["title"]
            assert p.author == sidecar[p.source]["author"]
            assert isinstance(p.start, int) and isinstance(p.end, int) and 0 <= p.start < p.end
            assert document_text(seeds_dir, p.source)[p.start : p.end] == p.text
            assert isinstance(p.score, float)
        scores = [p.score for p in passages]
        assert scores == sorted(scores, reverse=True), scores


def test_quote_is_verbatim_substring_inside_the_passage(top5, seeds_dir: Path) -> None:
    questions = [q for q, _ in FIRST_HITS] + [q for q, _, _ in KNOWN_MISSES]
    for question in questions:
        for p in top5(question):
            text = document_text(seeds_dir, p.source)
            assert p.quote, question
            assert text[p.quote_start : p.quote_end] == p.quote
            assert p.start <= p.quote_start < p.quote_end <= p.end
            assert p.quote in p.text
            assert p.quote == p.quote.strip(" \t\r\n\u00a0")


def test_quote_is_the_answering_sentence(retriever: Retriever) -> None:
    (top,) = retriever.search("What reciprocal tariffs do Japan and South Korea face?", k=1)

    assert "24% and 25%" in top.quote
    assert len(top.quote) < len(top.text)


# -- duplicates --------------------------------------------------------------------------


def test_no_two_passages_share_a_normalized_quote(retriever: Retriever) -> None:
    for question in [q for q, _ in FIRST_HITS[:4]] + [OPENING]:
        quotes = [normalized(p.quote) for p in retriever.search(question, k=8)]
        assert len(quotes) == len(set(quotes)), question


def test_repeated_paragraph_is_returned_once(retriever: Retriever) -> None:
    passages = retriever.search(OPENING, k=5)
    first_sentence = normalized(
        "On the sidelines of the G7 Summit, President Yoon and Prime Minister Kishida met for the"
        " third time and demonstrated the “deep trust” between them."
    )
    second_sentence = normalized("That progress is due in large part to Yoon’s willingness")

    assert any(OPENING in p.text for p in passages[:2])
    assert sum(normalized(p.quote) == first_sentence for p in passages) == 1
    whole_paragraph = [
        p for p in passages if first_sentence in normalized(p.text) and second_sentence in normalized(p.text)
    ]
    assert len(whole_paragraph) <= 1, [(p.start, p.end) for p in whole_paragraph]
    spans = [(p.source, p.start, p.end) for p in passages]
    assert len(spans) == len(set(spans))


# -- odd queries and k -------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "   ", "\n\t  \r\n", "\u00a0\u2003 \u00a0", "?! ..."], ids=repr)
def test_empty_blank_or_wordless_query_raises_query_error(retriever: Retriever, query: str) -> None:
    with pytest.raises(QueryError):
        retriever.search(query)


def test_non_text_query_raises_query_error(retriever: Retriever) -> None:
    with pytest.raises(QueryError):
        retriever.search(None)  # type: ignore[arg-type]


def test_a_paste_over_2000_characters_is_refused_by_search_as_by_ask(retriever: Retriever, seeds_dir: Path) -> None:
    """One rule for every entry point: a question over 2,000 characters is a QueryError."""
    from rag import Assistant

    query = ("What tariffs does Japan face? " + document_text(seeds_dir, GOVELLA))[:2725]
    for call in (lambda: retriever.search(query, k=3), lambda: Assistant(retriever).ask(query)):
        with pytest.raises(QueryError, match="too long .2,725 characters.; keep it under 2,000"):
            call()
    assert retriever.search(query[:2000], k=1)


def test_k_larger_than_the_index_returns_every_distinct_passage(retriever: Retriever) -> None:
    passages = retriever.search("cooperation between Japan and South Korea", k=1000)
    unique_chunks = [c for c in retriever.data.chunks if c.duplicate_of is None]

    ids = [p.chunk_id for p in passages]
    assert len(ids) == len(set(ids))
    assert len(passages) <= len(unique_chunks)
    assert {p.source for p in passages} == {COOPER, GOVELLA}
    # A chunk may be left out only because its best sentence is already quoted by another passage.
    quotes = {normalized(p.quote) for p in passages}
    for chunk in unique_chunks:
        if chunk.id not in ids:
            assert any(q in normalized(chunk.text) for q in quotes), chunk.text[:80]
    assert len(passages) >= len(unique_chunks) - 3


def test_k_limits_the_number_of_passages(retriever: Retriever) -> None:
    assert len(retriever.search("Japan South Korea", k=1)) == 1
    assert len(retriever.search("Japan South Korea", k=3)) == 3


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_a_bad_k_is_a_query_error_naming_the_allowed_range(retriever: Retriever, k: int) -> None:
    with pytest.raises(QueryError, match="at least 1"):
        retriever.search("tariffs", k=k)


def test_search_is_deterministic(retriever: Retriever) -> None:
    first = retriever.search("extended deterrence coordination", k=5)
    second = retriever.search("extended deterrence coordination", k=5)

    assert first == second


def test_per_question_scores_of_every_sentence_are_kept_for_few_questions(retriever: Retriever) -> None:
    """BM25 scores over every sentence are cached per question text (an ask reuses them for each
    passage it quotes from) but only for the last few texts: each is as long as the corpus, so
    caching hundreds grew a long-running server by a third of a gigabyte at 5,000 essays."""
    from rag.retrieve.retriever import SENTENCE_SCORES_KEPT

    for n in range(SENTENCE_SCORES_KEPT + 8):
        retriever.search(f"trade cooperation in year {2000 + n}", k=3)
    info = retriever._sentence_lexical.cache_info()
    assert info.currsize == SENTENCE_SCORES_KEPT <= 32
    assert info.hits >= SENTENCE_SCORES_KEPT  # each search quotes several passages from one scoring


def test_one_essays_sentences_are_read_without_scanning_the_corpus(retriever: Retriever) -> None:
    """sentence_rows gives each essay's sentences in document order, as filtering every sentence
    would, and a passage that is not an indexed chunk gets exactly the sentences inside it."""
    from dataclasses import replace

    sentences = retriever.sentences
    for source in {s.source for s in sentences}:
        rows = list(retriever.sentence_rows(source))
        assert rows == [i for i, s in enumerate(sentences) if s.source == source]
        assert [sentences[i].start for i in rows] == sorted(sentences[i].start for i in rows)
    assert not retriever.sentence_rows("no-such-essay.md")
    passage = retriever.search("extended deterrence coordination", k=1)[0]
    wider = replace(passage, chunk_id=-1, start=max(0, passage.start - 300), end=passage.end + 300)
    expected = [i for i, s in enumerate(sentences)
                if s.source == wider.source and s.start >= wider.start and s.end <= wider.end]  # fmt: skip
    assert retriever.passage_sentences(wider) == expected and len(expected) > len(retriever.passage_sentences(passage))


def test_a_word_the_essays_never_use_matches_their_nearest_words(retriever: Retriever) -> None:
    """Govella writes "navy presence" where a user says "military presence"; "military"
    occurs in neither essay, so without its related words BM25 would score it as nothing."""
    assert "navy" in retriever.related_terms("Is Washington considering a smaller military presence?")
    assert retriever.related_terms("navy presence") == []  # words the essays use are matched as typed
    quotes = [p.quote for p in retriever.search("Is Washington considering a smaller military presence in Asia?", k=3)]
    assert any("decreasing its navy presence" in q for q in quotes), quotes


def test_sparse_bm25_scores_equal_the_plain_formula() -> None:
    """BM25 on a sparse matrix gives what the textbook loop gives, for own and related terms."""
    import math
    from collections import Counter

    import numpy as np

    from rag.retrieve.lexical import BM25, terms

    texts = ["Tariffs of 24% and 25% hit Japan and Korea.", "Korea and Japan met in Hiroshima.",
             "Tariffs, tariffs and more tariffs.", "Nothing here matches.", ""]  # fmt: skip
    bm25 = BM25(texts)
    docs = [Counter(terms(t)) for t in texts]
    avg = sum(sum(d.values()) for d in docs) / len(docs)

    def plain(term: str, d: Counter[str]) -> float:
        f = sum(term in x for x in docs)
        idf = math.log(1 + (len(docs) - f + 0.5) / (f + 0.5))
        norm = 1.2 * (1 - 0.75 + 0.75 * sum(d.values()) / avg)
        return idf * d[term] * 2.2 / (d[term] + norm)

    want = [plain("tariff", d) + plain("korea", d) + 0.5 * plain("hiroshima", d) for d in docs]
    np.testing.assert_allclose(bm25.scores("what tariffs does Korea face?", ["hiroshima"]), want, rtol=1e-5)
    assert not bm25.scores("unknown words only").any()
