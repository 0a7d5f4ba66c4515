"""Loading a folder of essays: formats, encodings, skipped files, metadata and corpus hashes."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag import CorpusError, Document
from rag.ingest.load import corpus_hashes, load_corpus

GOVELLA = "govella-japan-south-korea-cooperation.txt"
COOPER = "cooper-korea-japan-new-chapter.txt"


@pytest.fixture()
def rag_caplog(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog that sees the "rag" logger even if the CLI's setup_logging stopped propagation."""
    logger = logging.getLogger("rag")
    previous = logger.propagate
    logger.propagate = True
    caplog.set_level(logging.WARNING, logger="rag")
    yield caplog
    logger.propagate = previous


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def by_source(documents: list[Document]) -> dict[str, Document]:
    return {d.source: d for d in documents}


# -- formats and encodings ---------------------------------------------------------------


def test_txt_and_md_files_load(tmp_path: Path) -> None:
    write(tmp_path, "plain.txt", "A plain text essay.\nSecond line.\n")
    write(tmp_path, "notes.md", "# Notes\n\nA Markdown essay.\n")
    write(tmp_path, "sub/deeper.txt", "Nested essay.")
    write(tmp_path, "image.png", b"\x89PNG\r\n\x1a\n")  # not an essay suffix: ignored silently

    docs = by_source(load_corpus(tmp_path))

    assert sorted(docs) == ["notes.md", "plain.txt", "sub/deeper.txt"]
    assert docs["plain.txt"].text == "A plain text essay.\nSecond line.\n"
    assert docs["notes.md"].text == "# Notes\n\nA Markdown essay.\n"
    assert docs["sub/deeper.txt"].text == "Nested essay."


def test_utf8_bom_is_not_part_of_the_text(tmp_path: Path) -> None:
    raw = "\ufeffCafé diplomacy – “quoted”.\n".encode()
    write(tmp_path, "bom.txt", raw)

    (doc,) = load_corpus(tmp_path)

    assert doc.text == "Café diplomacy – “quoted”.\n"
    assert not doc.text.startswith("\ufeff")
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()  # hash of the file's bytes, BOM included


def test_crlf_line_endings_are_kept_exactly(tmp_path: Path) -> None:
    raw = b"First line.\r\nSecond line.\r\n"
    write(tmp_path, "windows.txt", raw)

    (doc,) = load_corpus(tmp_path)

    assert doc.text.encode("utf-8") == raw


def test_binary_and_non_utf8_files_are_skipped_with_a_warning_naming_them(
    tmp_path: Path, rag_caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path, "good.txt", "A readable essay about tariffs.")
    write(tmp_path, "binary.txt", b"PK\x03\x04\x00\x00\x00binary\x00data")
    write(tmp_path, "undecodable.md", b"Caf\x81 au lait")  # 0x81: neither UTF-8 nor Windows-1252
    write(tmp_path, "mixed.md", "Café, déjà vu: ".encode() + b"\x93quoted\x94")  # UTF-8 with two 1252 bytes: not guessed
    write(tmp_path, "notes.txt", "Saved from Notepad as Unicode.".encode("utf-16"))

    docs = load_corpus(tmp_path)

    assert [d.source for d in docs] == ["good.txt"]
    warnings = [r.getMessage() for r in rag_caplog.records if r.levelno >= logging.WARNING]
    assert any("binary.txt" in m for m in warnings), warnings
    assert any("undecodable.md" in m and "not UTF-8 text (bad byte at offset 3); save it as UTF-8" in m for m in warnings), warnings
    assert any("notes.txt" in m and "UTF-16 text; save it as UTF-8" in m for m in warnings), warnings
    assert any("mixed.md" in m and "not UTF-8 text (bad byte at offset 18); save it as UTF-8" in m for m in warnings), warnings
    assert not any("good.txt" in m for m in warnings), warnings


def test_windows_1252_text_is_read_with_a_warning_naming_it(
    tmp_path: Path, rag_caplog: pytest.LogCaptureFixture
) -> None:
    """Text saved as "ANSI" by Notepad or Word was skipped ("not UTF-8"); a user expects it read."""
    write(tmp_path, "latin1.md", "# Caf\u00e9 notes\n\nCaf\u00e9 au lait, d\u00e9j\u00e0 vu, \u201csmart quotes\u201d.".encode("cp1252"))

    (doc,) = load_corpus(tmp_path)

    assert doc.text.endswith("Caf\u00e9 au lait, d\u00e9j\u00e0 vu, \u201csmart quotes\u201d.") and doc.title == "Caf\u00e9 notes"
    warnings = [r.getMessage() for r in rag_caplog.records if r.levelno >= logging.WARNING]
    assert any("latin1.md" in m and "read as Windows-1252" in m for m in warnings), warnings


def test_a_broken_link_is_skipped_with_a_warning_naming_it(
    tmp_path: Path, rag_caplog: pytest.LogCaptureFixture
) -> None:
    """A link to an essay that was moved or deleted is named, not passed over in silence."""
    write(tmp_path, "good.md", "A readable essay about tariffs.")
    (tmp_path / "moved.md").symlink_to(tmp_path / "elsewhere" / "moved.md")
    (tmp_path / "notes.log").symlink_to(tmp_path / "gone.log")  # not an essay file: no warning

    docs = load_corpus(tmp_path)

    assert [d.source for d in docs] == ["good.md"]
    warnings = [r.getMessage() for r in rag_caplog.records if r.levelno >= logging.WARNING]
    assert any("moved.md" in m and "link to" in m and "does not exist" in m for m in warnings), warnings
    assert not any("notes.log" in m for m in warnings), warnings
    assert "moved.md" in corpus_hashes(tmp_path)  # fixing the link counts as a change


def test_seed_document_text_round_trips_byte_for_byte(seeds_dir: Path) -> None:
    docs = by_source(load_corpus(seeds_dir))

    assert sorted(docs) == sorted([COOPER, GOVELLA])
    for name, doc in docs.items():
        raw = (seeds_dir / name).read_bytes()
        assert doc.text.encode("utf-8") == raw
        assert doc.sha256 == hashlib.sha256(raw).hexdigest()


def test_seed_quirks_survive_loading(seeds_dir: Path) -> None:
    """Nothing is "cleaned": NBSP filler lines and the repeated paragraph stay in the text."""
    cooper = by_source(load_corpus(seeds_dir))[COOPER]
    opening = "On the sidelines of the G7 Summit, President Yoon and Prime Minister Kishida met"

    assert "\u00a0" in cooper.text
    assert cooper.text.count(opening) == 2


# -- folders with nothing to read --------------------------------------------------------


def test_folder_with_only_unreadable_or_empty_files_raises_corpus_error(
    tmp_path: Path, rag_caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "blank.md", " \n\u00a0\n\t\n")
    write(tmp_path, "binary.txt", b"\x00\x01\x02\x03")
    write(tmp_path, "undecodable.txt", b"\x81\x8d\x8f")

    with pytest.raises(CorpusError) as info:
        load_corpus(tmp_path)

    message = str(info.value)
    assert str(tmp_path) in message
    assert ".txt" in message and ".md" in message  # tells the user what to add
    warned = " ".join(r.getMessage() for r in rag_caplog.records)
    for name in ("empty.txt", "blank.md", "binary.txt", "undecodable.txt"):
        assert name in warned


def test_empty_folder_raises_corpus_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError) as info:
        load_corpus(tmp_path)

    assert str(tmp_path) in str(info.value)
    assert ".txt" in str(info.value)


def test_missing_folder_raises_corpus_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-seeds"

    with pytest.raises(CorpusError) as info:
        load_corpus(missing)

    assert str(missing) in str(info.value)
    assert "exist" in str(info.value)


# -- titles and authors ------------------------------------------------------------------


def test_sidecar_metadata_gives_title_and_author(seeds_dir: Path) -> None:
    sidecar = json.loads((seeds_dir / "metadata.json").read_text(encoding="utf-8"))
    docs = by_source(load_corpus(seeds_dir))

    for name in (COOPER, GOVELLA):
        assert docs[name].title == sidecar[name]["title"]
        assert docs[name].author == sidecar[name]["author"]
    assert docs[COOPER].author == "Zack Cooper"
    assert docs[GOVELLA].author == "Kristi Govella"


def test_sidecar_metadata_in_a_new_folder(tmp_path: Path) -> None:
    write(tmp_path, "essay.md", "---\ntitle: From Front Matter\n---\n# From Heading\n\nBody.\n")
    write(tmp_path, "other.txt", "No metadata at all.")
    sidecar = {"essay.md": {"title": "From Sidecar", "author": "A. Writer", "date": "2024-05-01"}}
    write(tmp_path, "metadata.json", json.dumps(sidecar))

    docs = by_source(load_corpus(tmp_path))

    assert sorted(docs) == ["essay.md", "other.txt"]  # metadata.json is not an essay
    assert docs["essay.md"].title == "From Sidecar"
    assert docs["essay.md"].author == "A. Writer"
    assert docs["essay.md"].metadata.get("date") == "2024-05-01"
    assert docs["other.txt"].author is None


def test_markdown_front_matter_gives_title_and_author(tmp_path: Path) -> None:
    text = "---\ntitle: Alliances in Flux\nauthor: Jane Roe\n---\n\n# A Different Heading\n\nBody.\n"
    write(tmp_path, "essay.md", text)

    (doc,) = load_corpus(tmp_path)

    assert doc.title == "Alliances in Flux"
    assert doc.author == "Jane Roe"
    assert doc.text == text  # front matter stays in the text: offsets are into the file


def test_first_markdown_heading_gives_title(tmp_path: Path) -> None:
    write(tmp_path, "essay.md", "Intro line without heading.\n\n# Trade After the WTO\n\n# Later\n")

    (doc,) = load_corpus(tmp_path)

    assert doc.title == "Trade After the WTO"
    assert doc.author is None


def test_front_matter_comment_is_not_taken_for_the_heading(tmp_path: Path) -> None:
    text = "---\n# written for the newsletter\nauthor: Jane Roe\n---\n\n# Real Title\n\nBody.\n"
    write(tmp_path, "essay.md", text)

    (doc,) = load_corpus(tmp_path)

    assert doc.author == "Jane Roe"
    assert doc.title == "Real Title"


def test_comment_in_code_fence_is_not_taken_for_the_heading(tmp_path: Path) -> None:
    write(tmp_path, "guide.md", "Intro.\n\n```bash\n# install it\npip install x\n```\n\n# Real Heading\n")

    (doc,) = load_corpus(tmp_path)

    assert doc.title == "Real Heading"


def test_title_falls_back_to_file_name(tmp_path: Path) -> None:
    write(tmp_path, "korea-japan_relations.txt", "An essay with no heading.\n")
    write(tmp_path, "untitled.md", "Markdown without any heading.\n")
    write(tmp_path, "Letter to Ms Okafor - roof works 2023-24.txt", "A letter with no heading.\n")

    docs = by_source(load_corpus(tmp_path))

    assert docs["korea-japan_relations.txt"].title == "Korea japan relations"
    assert docs["untitled.md"].title == "Untitled"
    assert docs["Letter to Ms Okafor - roof works 2023-24.txt"].title == "Letter to Ms Okafor - roof works 2023-24"


# -- corpus hashes -----------------------------------------------------------------------


def test_corpus_hashes_cover_every_essay_file(seeds_dir: Path) -> None:
    hashes = corpus_hashes(seeds_dir)

    for name in (COOPER, GOVELLA):
        assert hashes[name] == hashlib.sha256((seeds_dir / name).read_bytes()).hexdigest()


def test_corpus_hashes_change_when_a_file_changes(seeds_dir: Path, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir, seeds)
    before = corpus_hashes(seeds)
    assert corpus_hashes(seeds) == before  # stable when nothing changed

    path = seeds / GOVELLA
    path.write_bytes(path.read_bytes().replace(b"six months", b"seven months"))
    edited = corpus_hashes(seeds)

    assert edited != before
    assert edited[GOVELLA] != before[GOVELLA]
    assert edited[COOPER] == before[COOPER]

    write(seeds, "new-essay.md", "# New\n\nA third essay.\n")
    assert "new-essay.md" in corpus_hashes(seeds)
    assert corpus_hashes(seeds) != edited


def test_a_plain_text_essay_takes_its_title_and_byline_from_its_first_lines(tmp_path: Path) -> None:
    write(tmp_path, "coral.txt", "Coral reefs\nby Priya Raman\n\nReefs are built by tiny animals. They bleach.\n")
    write(tmp_path, "press.md", "# The Printing Press\n\n*By Ana de la Cruz and Li Wei*\n\nGutenberg combined four things.\n")
    write(tmp_path, "plain.txt", "It begins with a sentence.\nIt was written by the sea.\n")
    write(tmp_path, "sidecar.txt", "Sea notes\nby Someone Else\n\nText.\n")
    (tmp_path / "metadata.json").write_text(json.dumps({"sidecar.txt": {"author": "The Real Author"}}))

    docs = by_source(load_corpus(tmp_path))

    assert (docs["coral.txt"].title, docs["coral.txt"].author) == ("Coral reefs", "Priya Raman")
    assert (docs["press.md"].title, docs["press.md"].author) == ("The Printing Press", "Ana de la Cruz and Li Wei")
    assert (docs["plain.txt"].title, docs["plain.txt"].author) == ("Plain", None)  # no title line, no byline
    assert (docs["sidecar.txt"].title, docs["sidecar.txt"].author) == ("Sea notes", "The Real Author")
    assert docs["coral.txt"].text.startswith("Coral reefs\nby Priya Raman\n")  # read exactly as written


@pytest.mark.parametrize("line", ["Author: Ingrid Solberg", "**Author:** Ingrid Solberg", "AUTHORS: Ingrid Solberg",
                                  "By: Ingrid Solberg", "Written by Ingrid Solberg"])
def test_an_author_line_names_the_author_and_is_never_a_sentence(tmp_path: Path, line: str) -> None:
    """A blind walk-through's essays opened "# Title", then "Author: NAME": no author was found, and
    "what does Solberg say about ...?" could not name her essay."""
    from rag.ingest.chunk import document_sentences

    write(tmp_path, "bees.md", f"# Wintering the Hive\n\n{line}\n\nHoneybees are tropical insects. They cluster in winter.\n")
    doc = by_source(load_corpus(tmp_path))["bees.md"]
    assert (doc.title, doc.author) == ("Wintering the Hive", "Ingrid Solberg")
    assert [s.text for s in document_sentences([doc])] == ["Honeybees are tropical insects.", "They cluster in winter."]


@pytest.mark.parametrize("line, author", [
    ("Author: Dr. Benedikt Ostrander, Senior Fellow, Halden Institute for Social Policy", "Dr. Benedikt Ostrander"),
    ("*By Ingrid Solberg | March 2024*", "Ingrid Solberg"),
    ("By Ingrid Solberg — Beekeepers' Association", "Ingrid Solberg"),
    ("By Ingrid Solberg, Ph.D.", "Ingrid Solberg"),
    ("By Tuesday, the hive had swarmed.", None),  # a sentence, not a byline
    ("By Jane Doe's count, the hive swarmed twice.", None),
])
def test_a_byline_may_carry_a_title_or_an_affiliation(tmp_path: Path, line: str, author: str | None) -> None:
    """Walk-through 27: "Author: Dr. Benedikt Ostrander, Senior Fellow, Halden Institute ..." gave no
    author, so every answer from the essay named its title instead ("“Growing Old ...” says:")."""
    from rag.ingest.chunk import document_sentences

    write(tmp_path, "bees.md", f"# Wintering the Hive\n\n{line}\n\nHoneybees are tropical insects. They cluster in winter.\n")
    doc = by_source(load_corpus(tmp_path))["bees.md"]
    assert doc.author == author
    sentences = [s.text for s in document_sentences([doc])]
    assert sentences[-2:] == ["Honeybees are tropical insects.", "They cluster in winter."]
    assert (line.strip("*") in " ".join(sentences)) == (author is None)  # a byline is never a sentence


def test_a_long_first_line_above_a_byline_is_the_title_never_a_sentence(tmp_path: Path) -> None:
    """"Leaning Against the Bubble: How the Reserve Bank ... Prices" over "By Priya Ramanathan" was
    read as the essay's first sentence, title and byline together, and quoted as an answer."""
    from rag.ingest.structure import HEADING, blocks

    title = "Leaning Against the Bubble: How the Reserve Bank of Calvera Should Respond to Runaway House Prices"
    write(tmp_path, "bubble.txt", f"{title}\nBy Priya Ramanathan\n\nHouse prices have risen by 68 percent. Incomes have not.\n")
    doc = by_source(load_corpus(tmp_path))["bubble.txt"]
    assert (doc.title, doc.author) == (title, "Priya Ramanathan")
    first = blocks(doc.text)
    assert first[0].kind == HEADING and doc.text[first[0].start : first[0].end] == title
    assert all(title not in doc.text[b.start : b.end] and "Ramanathan" not in doc.text[b.start : b.end] for b in first[1:])
