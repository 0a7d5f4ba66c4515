"""Sentences and chunks keep exact character offsets into the document text."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import Chunk, Document, Settings
from rag.embed import load_model, token_counter
from rag.ingest.chunk import chunk_documents, document_sentences
from rag.ingest.load import load_corpus
from rag.ingest.sentences import is_heading, is_question, sentence_spans

COOPER = "cooper-korea-japan-new-chapter.txt"
GOVELLA = "govella-japan-south-korea-cooperation.txt"
OPENING = "On the sidelines of the G7 Summit, President Yoon and Prime Minister Kishida met"
BLANK = " \t\r\n\u00a0\u200b\ufeff"


@pytest.fixture(scope="module")
def documents(seeds_dir: Path) -> list[Document]:
    return load_corpus(seeds_dir)


@pytest.fixture(scope="module")
def count_tokens():
    return token_counter(load_model(Settings().model))


@pytest.fixture(scope="module")
def chunks(documents, count_tokens) -> list[Chunk]:
    settings = Settings()
    return chunk_documents(documents, count_tokens, settings.chunk_tokens, settings.chunk_overlap)


def sentences_of(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


# -- sentences ---------------------------------------------------------------------------

TRICKY = [
    (
        "And along with U.S. President Joe Biden, President Yoon met Kishida. It went well.",
        ["And along with U.S. President Joe Biden, President Yoon met Kishida.", "It went well."],
    ),
    (
        "Dr. Cooper received a B.A. from Stanford University and an M.P.A. and Ph.D. from"
        " Princeton University. He lectures there.",
        [
            "Dr. Cooper received a B.A. from Stanford University and an M.P.A. and Ph.D. from"
            " Princeton University.",
            "He lectures there.",
        ],
    ),
    (
        "Step one is to keep up the progress achieved over the past two years.Cooperative"
        " mechanisms have been established.",
        [
            "Step one is to keep up the progress achieved over the past two years.",
            "Cooperative mechanisms have been established.",
        ],
    ),
    (
        "Yoon called Kishida’s decision to join him a “brave act.” That is undoubtedly correct.",
        ["Yoon called Kishida’s decision to join him a “brave act.”", "That is undoubtedly correct."],
    ),
    (
        "They showed “deep trust.” ‘Quiet’ talks followed? Yes! Tariffs of 24% and 25%. Done.",
        [
            "They showed “deep trust.”",
            "‘Quiet’ talks followed?",
            "Yes!",
            "Tariffs of 24% and 25%.",
            "Done.",
        ],
    ),
    (
        "First paragraph ends here.\n\n\u00a0\n\n\u00a0 \u00a0\n\nSecond paragraph\nHeading line\n",
        ["First paragraph ends here.", "Second paragraph", "Heading line"],
    ),
    (
        "Windows lines.\r\n\u00a0\r\nNext line.\r\n",
        ["Windows lines.", "Next line."],
    ),
    (
        "It rejects norms as vestiges of a U.S.-created system. It can also insulate states.",
        ["It rejects norms as vestiges of a U.S.-created system.", "It can also insulate states."],
    ),
]


@pytest.mark.parametrize(("text", "expected"), TRICKY, ids=[f"tricky{i}" for i in range(len(TRICKY))])
def test_sentence_spans_split_tricky_text_exactly(text: str, expected: list[str]) -> None:
    assert sentences_of(text) == expected


def test_nbsp_only_text_has_no_sentences() -> None:
    assert sentence_spans("\u00a0\n\n\u00a0 \u00a0\n \n") == []


def test_word_before_a_full_stop_is_what_the_regex_finds() -> None:
    """The backward scan that finds an abbreviation agrees with the regex it replaced, on random
    text of word characters, dots, spaces, line breaks and punctuation."""
    import random
    import re

    from rag.ingest.sentences import _word_before

    rng = random.Random(7)
    for _ in range(20000):
        text = "".join(rng.choice("ab.Z_ \n\t9é-’ß\u00a0,") for _ in range(rng.randint(0, 12)))
        start = rng.randint(0, len(text))
        found = re.search(r"[\w.]*$", text[start:])
        assert _word_before(text, start, len(text)) == (found.group(0) if found else ""), repr(text[start:])


def test_sentence_ending_in_the_word_no_still_splits() -> None:
    assert sentences_of("The answer was no. Then they left.") == ["The answer was no.", "Then they left."]


def assert_spans_are_exact(text: str, spans: list[tuple[int, int]]) -> None:
    previous_end = 0
    for start, end in spans:
        piece = text[start:end]
        assert 0 <= previous_end <= start < end <= len(text)
        assert piece == piece.strip(BLANK), f"span not trimmed: {piece!r}"
        assert any(ch.isalnum() for ch in piece), f"span without words: {piece!r}"
        previous_end = end


@pytest.mark.parametrize("text", [t for t, _ in TRICKY], ids=[f"tricky{i}" for i in range(len(TRICKY))])
def test_sentence_spans_of_tricky_text_are_stripped_slices(text: str) -> None:
    assert_spans_are_exact(text, sentence_spans(text))


def test_every_seed_sentence_is_a_stripped_slice_of_its_document(documents) -> None:
    for doc in documents:
        assert_spans_are_exact(doc.text, sentence_spans(doc.text))
    texts = {d.source: d.text for d in documents}
    sentences = document_sentences(documents)
    assert len(sentences) > 50
    for s in sentences:
        assert texts[s.source][s.start : s.end] == s.text


def test_seed_sentences_keep_abbreviations_together(documents) -> None:
    cooper = next(d for d in documents if d.source == COOPER)
    found = sentences_of(cooper.text)

    assert (
        "Dr. Cooper received a B.A. from Stanford University and an M.P.A. and Ph.D. from"
        " Princeton University."
    ) in found
    assert any(s.startswith("And along with U.S. President Joe Biden,") for s in found)


def test_seed_sentences_split_a_missing_space_after_full_stop(documents) -> None:
    govella = next(d for d in documents if d.source == GOVELLA)
    found = sentences_of(govella.text)

    assert any(s.endswith("over the past two years.") for s in found)
    assert any(s.startswith("Cooperative mechanisms have been established") for s in found)


# -- chunks ------------------------------------------------------------------------------


def test_every_chunk_text_equals_document_slice(documents, chunks) -> None:
    texts = {d.source: d.text for d in documents}

    assert {c.source for c in chunks} == set(texts)
    for chunk in chunks:
        assert texts[chunk.source][chunk.start : chunk.end] == chunk.text


def test_chunks_fit_the_token_budget(chunks, count_tokens) -> None:
    budget = Settings().chunk_tokens
    sizes = [count_tokens(c.text) for c in chunks]

    assert max(sizes) <= budget, [(c.id, n) for c, n in zip(chunks, sizes) if n > budget]


def test_chunks_cover_every_sentence(documents, chunks) -> None:
    """No text is lost between chunks: each sentence lies inside some chunk, or is split across two."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for c in chunks:
        spans.setdefault(c.source, []).append((c.start, c.end))
    for s in document_sentences(documents):
        covered = [(a, b) for a, b in spans[s.source] if a < s.end and s.start < b]
        assert covered, f"sentence outside every chunk: {s.text[:60]!r}"
        assert min(a for a, _ in covered) <= s.start and max(b for _, b in covered) >= s.end


def test_chunk_ids_are_sequential_in_corpus_order(chunks) -> None:
    assert [c.id for c in chunks] == list(range(len(chunks)))


@pytest.mark.parametrize(("size", "overlap"), [(32, 8), (64, 16), (256, 64)])
def test_chunk_invariants_hold_for_other_sizes(documents, count_tokens, size: int, overlap: int) -> None:
    texts = {d.source: d.text for d in documents}
    for chunk in chunk_documents(documents, count_tokens, size, overlap):
        assert texts[chunk.source][chunk.start : chunk.end] == chunk.text
        assert count_tokens(chunk.text) <= size
        assert chunk.text == chunk.text.strip(BLANK)


def test_the_splitter_counts_each_piece_once(documents, count_tokens) -> None:
    """LangChain measures a piece when it splits, merges and overlaps: counted once, a 2 MB essay
    is split in 2.2 s instead of 3.5 (bench/RESULTS.md, "Build speed")."""
    counted: list[str] = []

    def counting(text: str) -> int:
        counted.append(text)
        return count_tokens(text)

    settings = Settings()
    again = chunk_documents(documents, counting, settings.chunk_tokens, settings.chunk_overlap)
    assert counted and len(counted) == len(set(counted))
    assert again == chunk_documents(documents, count_tokens, settings.chunk_tokens, settings.chunk_overlap)


def test_a_piece_too_long_by_its_words_alone_is_not_tokenized(documents, count_tokens) -> None:
    """The splitter only asks whether such a piece fits: a 2 MB paragraph's tokens took 1.6 s to
    count. Its chunks are those of a splitter that counts every piece."""
    from functools import lru_cache

    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from rag.ingest.chunk import SEPARATORS

    counted: list[str] = []

    def counting(text: str) -> int:
        counted.append(text)
        return count_tokens(text)

    settings = Settings()
    line = " ".join(" ".join(d.text.split()) for d in documents) + "\n"  # both essays as one paragraph
    doc = Document("line.txt", line, "One line", None, "0" * 64)
    ours = chunk_documents([doc], counting, settings.chunk_tokens, settings.chunk_overlap)
    assert counted and max(len(t.split()) for t in counted) <= settings.chunk_tokens
    exact = RecursiveCharacterTextSplitter(
        chunk_size=settings.chunk_tokens, chunk_overlap=settings.chunk_overlap,
        length_function=lru_cache(maxsize=None)(count_tokens), separators=SEPARATORS,
        keep_separator="end", strip_whitespace=True,
    ).split_text(line)  # fmt: skip
    assert [c.text for c in ours] == exact


def test_repeated_opening_paragraph_is_marked_duplicate(documents, count_tokens) -> None:
    # At 128 tokens the second copy of the paragraph is a chunk of its own (at the default
    # size it shares a chunk with new text, and search-time quote dedup covers it).
    chunks = chunk_documents(documents, count_tokens, 128, 32)
    duplicates = [c for c in chunks if c.duplicate_of is not None]
    by_id = {c.id: c for c in chunks}

    repeated = [c for c in duplicates if c.text.startswith(OPENING)]
    assert repeated, "the second copy of Cooper's opening paragraph is not marked duplicate_of"
    for chunk in repeated:
        original = by_id[chunk.duplicate_of]
        assert chunk.source == original.source == COOPER
        assert original.duplicate_of is None
        assert OPENING in original.text
        assert original.end <= chunk.start or chunk.end <= original.start  # a different copy
    # The first copy survives, and nothing in the un-repeated essay is marked.
    assert any(c.start == 0 and c.source == COOPER and c.duplicate_of is None for c in chunks)
    assert not [c for c in duplicates if c.source == GOVELLA]


def test_a_disclaimer_in_every_essay_leaves_each_essay_its_own_chunks(count_tokens) -> None:
    """An archive's boilerplate line, alone in a paragraph of each essay: the chunks that hold
    only it are duplicates of the first copy (the lowest id), the others are kept. Each repeated
    sentence used to be checked against every chunk holding it (4.8 MB of repeated text: 217 s;
    now 20 s)."""
    from rag.types import Document

    line = "The views expressed here are the author's own."
    docs = [Document(f"e{i}.md", f"# Essay {i}\n\nHarbour {i} opened in {1800 + i}. {'Ships came. ' * 40}\n\n{line}\n",
                     f"Essay {i}", None, "x") for i in range(30)]  # fmt: skip
    chunks = chunk_documents(docs, count_tokens, 64, 16)
    alone = [c for c in chunks if c.text == line]
    assert len(alone) == 30
    first = min(c.id for c in alone)
    assert all(c.duplicate_of == first for c in alone if c.id != first)
    assert next(c for c in alone if c.id == first).duplicate_of is None
    assert all(c.duplicate_of is None for c in chunks if "Harbour" in c.text)


def test_no_chunk_is_made_of_nbsp_filler(chunks) -> None:
    for chunk in chunks:
        assert any(ch.isalnum() for ch in chunk.text), f"chunk without words: {chunk.text!r}"
        assert chunk.text == chunk.text.strip(BLANK), f"chunk with blank edges: {chunk.text[:40]!r}"
        lines = [line for line in chunk.text.split("\n") if line.strip(BLANK)]
        assert lines, chunk.text


@pytest.mark.parametrize(
    ("line", "question", "heading"),
    [
        ("So what should be next on the agenda?", True, False),
        ("He asked: “why now?”", True, False),
        ("To start with, the 2 governments face worsening safety threats.", False, False),
        ("US ally downside: Disruption trumps stability", False, True),
        ("It is “vital.”", False, False),
    ],
)
def test_questions_and_headings_are_told_from_statements(line: str, question: bool, heading: bool) -> None:
    assert is_question(line) is question
    assert is_heading(line) is heading


def test_front_matter_is_metadata_and_never_a_sentence_or_a_chunk(tmp_path: Path, count_tokens) -> None:
    text = ("---\ntitle: A Short History of the Printing Press\nauthor: Ana Ruiz\n---\n\n"
            "# The press\n\nGutenberg combined four things. The 42-line Bible was finished around 1455.\n")  # fmt: skip
    (tmp_path / "press.md").write_text(text, encoding="utf-8")
    [doc] = load_corpus(tmp_path)
    assert (doc.title, doc.author) == ("A Short History of the Printing Press", "Ana Ruiz")
    body = text.index("# The press")
    sentences = document_sentences([doc])
    assert sentences and all(s.start >= body and doc.text[s.start : s.end] == s.text for s in sentences)
    assert not any("title:" in s.text or "---" in s.text for s in sentences)
    chunks = chunk_documents([doc], count_tokens, 240, 48)
    assert chunks and all(c.start >= body and doc.text[c.start : c.end] == c.text for c in chunks)
