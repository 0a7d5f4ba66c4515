"""Write and read an index folder atomically, with checksums and no pickle.

Layout of ``index/``::

    manifest.json          format version, model, dimension, corpus hashes, chunking,
                           library versions, and the sha256 of every data file
    data-<build>/          documents.jsonl  chunks.jsonl  sentences.jsonl  terms.json
                           chunks.npy       sentences.npy    terms.npy     (float32 vectors, one row
                                                              per unique chunk, sentence, term)
                           chunks.faiss     sentences.faiss  (only above EXACT_BELOW vectors: the IVF
                                                              index they are searched with)
                           lexical.safetensors  names.json   (what the retriever derives from
                                                              the text; optional, see retrieve/tables.py)
                           rows.safetensors   (the chunks' and sentences' fields as columns,
                                               read memory-mapped; an index without it reads the
                                               .jsonl files)
    partial/               vectors of a build that stopped before it finished (see partial.py)

Vectors, IVF indexes and the lexical tables are memory-mapped, not read into memory: a query
touches the pages it needs, which the operating system shares between processes and may drop
under pressure. Chunks and sentences are held as columns of numbers (TextTable), and a document's
text is read from the mapped documents.jsonl when asked for (DocumentTable), so what a process
owns grows with the corpus by little more than the essays' titles and the retriever's row lists.

A build writes a fresh ``data-<build>`` folder, then replaces ``manifest.json`` with an
atomic rename; only then are older data folders removed. A crash at any point leaves the
previous index readable.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar, overload

import numpy as np

from ..errors import IndexCorruptError, IndexMismatchError, IndexMissingError, IndexWriteError
from ..mapped import map_safetensors
from ..types import Chunk, Document, Sentence

FORMAT_VERSION = 4  # 2: search terms and their vectors; 3: document structure (sentence kind,
# paragraph and section; chunk section) and text extracted from PDF, HTML and Word files;
# 4: vectors in memory-mapped .npy files, a FAISS file only for an IVF index
MANIFEST = "manifest.json"
CHECKSUM_THREADS = 2  # files hashed at once when an index is opened (0.8 GB at 5,000 essays: 1.17 -> 0.79 s)
FIX = "run `rag index` to rebuild it"
log = logging.getLogger("rag")
T = TypeVar("T")
V = TypeVar("V")


@dataclass(frozen=True)
class IndexData:
    """Everything an index folder holds, loaded into memory."""

    manifest: dict[str, Any]
    documents: Sequence[Document]  # a DocumentTable when read from disk (texts read when asked for)
    chunks: Sequence[Chunk]  # a TextTable when read from disk, a tuple when just built
    sentences: Sequence[Sentence]  # likewise
    chunk_vectors: np.ndarray  # rows for chunks with duplicate_of None, in chunk order
    sentence_vectors: np.ndarray  # one row per sentence
    terms: tuple[str, ...]  # every search term of the sentences (see lexical.terms), sorted
    term_vectors: np.ndarray  # one row per term, to find the essays' words for a user's word
    search: dict[str, Any] = field(default_factory=dict, compare=False)  # "chunks", "sentences": the
    # FAISS IVF index each is searched with above EXACT_BELOW vectors; absent below (exact search)
    lexical: dict[str, np.ndarray] = field(default_factory=dict, compare=False)  # what the retriever
    names: dict[str, Any] = field(default_factory=dict, compare=False)  # derives from the text (retrieve/tables.py)


class _Rows(Sequence[T]):
    """A read-only sequence of rows each made when read (``_at``), equal to any sequence of equal rows."""

    def _at(self, row: int) -> T:
        raise NotImplementedError

    @overload
    def __getitem__(self, row: int) -> T: ...

    @overload
    def __getitem__(self, row: slice) -> list[T]: ...

    def __getitem__(self, row: int | slice) -> T | list[T]:
        if isinstance(row, slice):
            return [self._at(i) for i in range(*row.indices(len(self)))]
        return self._at(range(len(self))[row])  # a negative row counts from the end; IndexError past it

    def __iter__(self) -> Iterator[T]:
        return (self._at(i) for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]


class DocumentTable(_Rows[Document]):
    """An index's documents with their text left in the mapped ``documents.jsonl``: each line is
    read again when its document is asked for, and the last DOCUMENTS_KEPT are kept (at 5,000
    essays the texts held 47 MiB). ``heads`` are the documents without their text, for passes
    over every essay (titles, authors); ``lengths`` each text's length."""

    def __init__(self, path: Path, shared: dict[str, str]) -> None:
        """Read ``path`` once (every line parsed, its text dropped); ValueError for a bad line."""
        self._file = np.memmap(path, dtype=np.uint8, mode="r") if path.stat().st_size else np.zeros(0, np.uint8)
        spans, heads, lengths = [], [], {}
        start = 0
        for line in bytes(self._file).split(b"\n"):
            end = start + len(line)
            if line.strip():
                row = json.loads(line)
                row["source"] = shared.setdefault(row["source"], row["source"])
                lengths[row["source"]] = len(row["text"])
                heads.append(Document(**{**row, "text": ""}))
                spans.append((start, end))
            start = end + 1
        self.heads: tuple[Document, ...] = tuple(heads)
        self.lengths: dict[str, int] = lengths
        self._spans = spans
        self._row_of = {d.source: i for i, d in enumerate(heads)}
        self._read = lru_cache(maxsize=DOCUMENTS_KEPT)(self._read_row)
        self.texts: Mapping[str, str] = _BySource(self, lambda source: self.by_source(source).text)

    def _read_row(self, row: int) -> Document:
        start, end = self._spans[row]
        return replace(self.heads[row], text=json.loads(bytes(self._file[start:end]))["text"])

    def by_source(self, source: str) -> Document:
        """The document of ``source``, its text read (KeyError for an unknown source)."""
        return self._read(self._row_of[source])

    def sources(self) -> list[str]:
        """Every document's source, in order."""
        return [d.source for d in self.heads]

    def __len__(self) -> int:
        return len(self.heads)

    def _at(self, row: int) -> Document:
        return self._read(row)


class _BySource(Mapping[str, V]):
    """Something of each source's document (the document, its text), read when asked for."""

    def __init__(self, table: DocumentTable, read: Callable[[str], V]) -> None:
        self._table, self._read = table, read

    def __getitem__(self, source: str) -> V:
        return self._read(source)

    def __iter__(self) -> Iterator[str]:
        return iter(self._table.sources())

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, source: object) -> bool:
        return source in self._table.lengths


def documents_by_source(documents: Sequence[Document]) -> tuple[Mapping[str, Document], Sequence[Document]]:
    """``documents`` by source, and the same documents for passes over all of them that read no
    text (titles, authors): for a DocumentTable, a mapping that reads each text when asked for and
    its heads; for documents in memory, a dict and themselves."""
    if isinstance(documents, DocumentTable):
        return _BySource(documents, documents.by_source), documents.heads
    return {d.source: d for d in documents}, documents


DOCUMENTS_KEPT = 64  # documents whose text a DocumentTable keeps read (a question reads a few)


class TextTable(_Rows[T]):
    """An index's chunks or sentences held as columns of numbers (offsets, ids, and each text
    field as a number into its distinct values), each row made when it is read, its text cut from
    its document's (a row's text is ``document.text[start:end]``): about 30 bytes a row, where an
    object and a copy of its text took about 400 a sentence and 1,200 a chunk (108 MiB at 5,000 essays)."""

    def __init__(self, make: Callable[..., T], texts: Mapping[str, str], columns: dict[str, np.ndarray],
                 names: dict[str, tuple[str, ...]]) -> None:  # fmt: skip
        """``make``: the dataclass of a row (Chunk, Sentence); ``columns``: one array per field but
        its text (-1 for None), those of ``names`` being numbers into it; ``texts``: each source's
        document text."""
        self._make, self._texts, self._columns, self._names = make, texts, columns, names
        optional = {f.name for f in fields(make) if "None" in str(f.type)}  # type: ignore[arg-type]
        self._fields = [(name, column, names.get(name), name in optional) for name, column in columns.items()]
        self._source, self._start, self._end = columns["source"], columns["start"], columns["end"]

    @classmethod
    def read(cls, path: Path, make: Callable[..., T], texts: Mapping[str, str], shared: dict[str, str]) -> TextTable[T]:
        """The rows of a JSON-lines file; ValueError when one's text is not its document's."""
        return cls.from_rows(make, texts, _read_rows(path, _as_row, shared))

    @classmethod
    def from_rows(cls, make: Callable[..., T], texts: Mapping[str, str], rows: Iterable[Mapping[str, Any]]) -> TextTable[T]:
        """The table of ``rows`` (each a row's fields, text included); ValueError when a text is not
        its document's."""
        kinds = {f.name: (f.type, f.default) for f in fields(make) if f.name != "text"}  # type: ignore[arg-type]
        numbers: dict[str, dict[str, int]] = {name: {} for name, (kind, _) in kinds.items() if kind == "str"}
        values: dict[str, list[int]] = {name: [] for name in kinds}
        for row in rows:
            source, start, end = row["source"], int(row["start"]), int(row["end"])
            if source not in texts or texts[source][start:end] != row["text"]:
                raise ValueError(f"a text of {source!r} at {start}:{end} is not the text of its document")
            for name, (_, default) in kinds.items():
                value = row.get(name, default)
                if name in numbers:
                    value = numbers[name].setdefault(value, len(numbers[name]))
                values[name].append(-1 if value is None else int(value))
        columns = {name: np.array(v, dtype=np.int64 if name in ("start", "end") else np.int32) for name, v in values.items()}
        return cls(make, texts, columns, {name: tuple(n) for name, n in numbers.items()})

    def arrays(self, part: str) -> dict[str, np.ndarray]:
        """The columns as ``{part}.{field}`` arrays, and the distinct values as ``{part}.names``
        (UTF-8 JSON bytes), for a safetensors file that ``from_arrays`` reads back."""
        names = json.dumps(self._names, ensure_ascii=False).encode("utf-8")
        return {f"{part}.{k}": np.ascontiguousarray(v) for k, v in self._columns.items()} | {
            f"{part}.names": np.frombuffer(names, dtype=np.uint8).copy()}  # fmt: skip

    @classmethod
    def from_arrays(cls, make: Callable[..., T], texts: Mapping[str, str], arrays: Mapping[str, np.ndarray],
                    part: str, shared: dict[str, str], lengths: Mapping[str, int]) -> TextTable[T]:  # fmt: skip
        """The table ``arrays`` holds (used as they are: memory-mapped, nothing parsed per row), its
        values one string with ``shared``'s; ValueError when a column is missing, a number names no
        value, or a row lies outside its document (``lengths``: each document's text length)."""
        wanted = [f.name for f in fields(make) if f.name != "text"]  # type: ignore[arg-type]
        try:
            raw = json.loads(bytes(arrays[f"{part}.names"]).decode("utf-8"))
            names = {k: tuple(shared.setdefault(str(x), str(x)) for x in v) for k, v in raw.items()}
            columns = {name: np.asarray(arrays[f"{part}.{name}"]) for name in wanted}  # plain views of the map
        except (KeyError, UnicodeDecodeError, json.JSONDecodeError, AttributeError, TypeError) as exc:
            raise ValueError(f"the {part} columns are incomplete ({exc!r})") from exc
        rows = {len(c) for c in columns.values()}
        if len(rows) > 1 or any(c.ndim != 1 for c in columns.values()) or "source" not in names:
            raise ValueError(f"the {part} columns differ in length")
        for name, values in names.items():
            if len(columns[name]) and not 0 <= int(columns[name].min()) <= int(columns[name].max()) < len(values):
                raise ValueError(f"a {part} row names no {name}")
        if any(source not in lengths for source in names["source"]):
            raise ValueError(f"a {part} row names a document the index does not hold")
        limits = np.array([lengths[source] for source in names["source"]], dtype=np.int64)
        start, end = columns["start"], columns["end"]
        if len(start) and not ((start >= 0) & (start <= end) & (end <= limits[columns["source"]])).all():
            raise ValueError(f"a {part} row lies outside its document")
        return cls(make, texts, columns, names)

    def __len__(self) -> int:
        return len(self._start)

    def offsets(self) -> tuple[list[str], list[int], list[int]]:
        """Every row's source, start and end, read from the columns (no row is made)."""
        sources = self._names["source"]
        return [sources[i] for i in self._source.tolist()], self._start.tolist(), self._end.tolist()

    def column(self, name: str) -> np.ndarray:
        """The numbers of one field, one per row (for a text field, numbers into its distinct values)."""
        return self._columns[name]

    def select(self, rows: np.ndarray) -> TextTable[T]:
        """The table of ``rows`` only, in that order."""
        return TextTable(self._make, self._texts, {k: v[rows] for k, v in self._columns.items()}, self._names)

    def _at(self, row: int) -> T:
        values: dict[str, Any] = {}
        for name, column, names, optional in self._fields:
            number = int(column[row])
            values[name] = names[number] if names is not None else None if optional and number == -1 else number
        return self._make(**values, text=self._texts[values["source"]][values["start"] : values["end"]])


def unique_chunks(chunks: Sequence[Chunk]) -> Sequence[Chunk]:
    """The chunks that are not duplicates (the rows of the chunk vectors), as a table when ``chunks`` is one."""
    if isinstance(chunks, TextTable):
        return chunks.select(np.flatnonzero(chunks.column("duplicate_of") < 0))
    return [c for c in chunks if c.duplicate_of is None]


def write_index(index_dir: str | Path, data: IndexData) -> IndexData:
    """Persist ``data`` under ``index_dir`` atomically (see module docstring); return it as
    written: with its final manifest and the search indexes chosen for its size."""
    import faiss

    root = Path(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    name = f"data-{uuid.uuid4().hex[:12]}"
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
    try:
        _write_jsonl(staging / "documents.jsonl", map(_row, data.documents))
        _write_jsonl(staging / "chunks.jsonl", map(_row, data.chunks))
        _write_jsonl(staging / "sentences.jsonl", map(_row, data.sentences))
        from safetensors.numpy import save  # bytes, written as any file (save_file makes it private)

        texts = {d.source: d.text for d in data.documents}
        columns: dict[str, np.ndarray] = {}
        for part, make, rows in (("chunks", Chunk, data.chunks), ("sentences", Sentence, data.sentences)):
            columns |= TextTable.from_rows(make, texts, map(_row, rows)).arrays(part)  # checks every text
        (staging / "rows.safetensors").write_bytes(save(columns))
        (staging / "terms.json").write_text(json.dumps(list(data.terms), ensure_ascii=False), encoding="utf-8")
        if data.lexical:
            arrays = {k: np.ascontiguousarray(v) for k, v in data.lexical.items()}
            (staging / "lexical.safetensors").write_bytes(save(arrays))
            (staging / "names.json").write_text(json.dumps(data.names, ensure_ascii=False), encoding="utf-8")
        search, indexes = {}, {}
        for stem, vectors in (("chunks", data.chunk_vectors), ("sentences", data.sentence_vectors),
                              ("terms", data.term_vectors)):  # fmt: skip
            write_vectors(staging / f"{stem}.npy", vectors)
            index, search[stem] = search_index(vectors) if stem != "terms" else (None, {"kind": "flat"})
            if index is not None:  # an IVF index: the vectors are searched through it
                faiss.write_index(index, str(staging / f"{stem}.faiss"))
                indexes[stem] = index
        files = {p.name: file_sha256(p) for p in sorted(staging.iterdir())}
        manifest = {**data.manifest, "format_version": FORMAT_VERSION, "data": name, "files": files, "search": search}
        _fsync_dir(staging)
        os.chmod(staging, 0o755)  # mkdtemp makes it private; an index is read by other users too
        os.replace(staging, root / name)
        atomic_write_text(root / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if read_manifest_data_name(root) != name:
            shutil.rmtree(root / name, ignore_errors=True)
        raise
    for old in root.glob("data-*"):
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)
    return replace(data, manifest=manifest, search=indexes)


def read_manifest_data_name(index_dir: Path) -> str | None:
    """The data folder the current manifest names, or None when there is no readable manifest."""
    try:
        return str(json.loads((index_dir / MANIFEST).read_text(encoding="utf-8")).get("data"))
    except (OSError, ValueError, AttributeError):
        return None


def built_from(index_dir: str | Path) -> str | None:
    """The essays folder the index in ``index_dir`` was built from (None when it does not say)."""
    try:
        folder = json.loads((Path(index_dir) / MANIFEST).read_text(encoding="utf-8")).get("essays")
    except (OSError, ValueError, AttributeError):
        return None
    return folder if isinstance(folder, str) else None


def read_manifest(index_dir: str | Path, formats: tuple[int, ...] = (FORMAT_VERSION,)) -> dict[str, Any]:
    """The manifest, or a clear error when there is no readable index (of one of ``formats``)."""
    path = Path(index_dir) / MANIFEST
    if not path.is_file():
        raise IndexMissingError(f"no index in {str(index_dir)!r}: {FIX}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(f"{path} is unreadable ({exc}): {FIX}") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise IndexCorruptError(f"{path} is not an index manifest: {FIX}")
    missing = [key for key in ("model", "dimension", "data") if key not in manifest]
    if missing:
        raise IndexCorruptError(f"{path} lacks {', '.join(missing)}: {FIX}")
    if manifest.get("format_version") not in formats:
        raise IndexMismatchError(
            f"{path} has format version {manifest.get('format_version')!r}, this program reads"
            f" version {FORMAT_VERSION}: {FIX}"
        )
    return manifest


REUSABLE_FORMATS = (3, FORMAT_VERSION)  # formats whose vectors a build reuses (3: vectors in .faiss files)


def read_index(index_dir: str | Path, formats: tuple[int, ...] = (FORMAT_VERSION,)) -> IndexData:
    """Load and verify an index folder: checksums, row counts and dimensions must agree.
    ``formats``: the versions accepted (a build reads older ones for their vectors). FAISS is
    imported only for an IVF index: exact search needs none, and the import costs a cold start 0.7 s."""
    manifest = read_manifest(index_dir, formats)
    folder = Path(index_dir) / str(manifest.get("data", ""))
    paths = {name: folder / name for name in manifest["files"]}
    for path in paths.values():
        if not path.is_file():
            raise IndexCorruptError(f"index file {path} is missing: {FIX}")
    with ThreadPoolExecutor(CHECKSUM_THREADS) as pool:  # hashlib and reads let go of the GIL
        found = dict(zip(paths, pool.map(file_sha256, paths.values())))
    for name, digest in manifest["files"].items():
        if found[name] != digest:
            raise IndexCorruptError(f"index file {paths[name]} is damaged (checksum mismatch): {FIX}")
    try:
        shared: dict[str, str] = {}  # one copy of each source name, section and kind, not one per row
        documents = DocumentTable(folder / "documents.jsonl", shared)
        texts = documents.texts
        if "rows.safetensors" in manifest["files"]:  # the rows as columns: mapped, nothing parsed
            rows = map_safetensors(folder / "rows.safetensors")
            chunks = TextTable.from_arrays(Chunk, texts, rows, "chunks", shared, documents.lengths)
            sentences = TextTable.from_arrays(Sentence, texts, rows, "sentences", shared, documents.lengths)
        else:  # written before the columns were: every row read and checked against its document
            chunks = TextTable.read(folder / "chunks.jsonl", Chunk, texts, shared)
            sentences = TextTable.read(folder / "sentences.jsonl", Sentence, texts, shared)
        read = _read_vectors if manifest["format_version"] >= 4 else _read_faiss_vectors
        chunk_vectors, sentence_vectors, term_vectors = (
            read(folder / f"{stem}.npy") for stem in ("chunks", "sentences", "terms")
        )
        terms = tuple(str(t) for t in json.loads((folder / "terms.json").read_text(encoding="utf-8")))
        lexical, names = {}, {}
        if "lexical.safetensors" in manifest["files"] and "names.json" in manifest["files"]:
            try:
                lexical = map_safetensors(folder / "lexical.safetensors")
            except ValueError:  # checksummed, so a writer's bug: the retriever derives them instead
                lexical = {}
            names = json.loads((folder / "names.json").read_text(encoding="utf-8"))
    except (ValueError, TypeError, KeyError, RuntimeError, OSError) as exc:
        raise IndexCorruptError(f"index in {str(index_dir)!r} cannot be read ({exc}): {FIX}") from exc
    unique = len(unique_chunks(chunks))
    dim = manifest.get("dimension")
    shapes = (chunk_vectors.shape, sentence_vectors.shape, term_vectors.shape)
    if shapes != ((unique, dim), (len(sentences), dim), (len(terms), dim)):
        raise IndexCorruptError(f"index in {str(index_dir)!r} has inconsistent row counts: {FIX}")
    search = {}
    for stem in ("chunks", "sentences"):
        params = (manifest.get("search") or {}).get(stem) or {}
        if params.get("kind") == "ivf" and manifest["format_version"] >= 4:
            import faiss

            try:
                # mapped as the vectors are: read from the page cache, not copied (its lists hold every vector)
                index: Any = faiss.read_index(str(folder / f"{stem}.faiss"), faiss.IO_FLAG_MMAP)
                index.nprobe = int(params["nprobe"])
            except (RuntimeError, KeyError, ValueError, TypeError) as exc:
                raise IndexCorruptError(f"index in {str(index_dir)!r} cannot be read ({exc}): {FIX}") from exc
            search[stem] = index
    return IndexData(
        manifest, documents, chunks, sentences, chunk_vectors, sentence_vectors, terms, term_vectors, search,
        lexical, names if isinstance(names, dict) else {},
    )


class ExactSearch:
    """Exact inner-product search (cosine on unit vectors) straight over a (memory-mapped)
    matrix, with FAISS's ``search`` signature: no second copy of the vectors in memory."""

    def __init__(self, vectors: np.ndarray) -> None:
        self.vectors = vectors
        self.ntotal = len(vectors)

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rows) of the ``k`` best rows for each query, best first; -1 rows pad past ntotal."""
        scores = np.atleast_2d(queries).astype(np.float32) @ np.asarray(self.vectors).T
        found = np.full((len(scores), k), -1, dtype=np.int64)
        best = np.full((len(scores), k), -np.inf, dtype=np.float32)
        take = min(k, self.ntotal)
        if take:
            rows = np.argpartition(-scores, take - 1, axis=1)[:, :take]
            picked = np.take_along_axis(scores, rows, axis=1)
            order = np.argsort(-picked, axis=1, kind="stable")
            found[:, :take] = np.take_along_axis(rows, order, axis=1)
            best[:, :take] = np.take_along_axis(picked, order, axis=1)
        return best, found


def flat_index(vectors: np.ndarray) -> Any:
    """An exact inner-product FAISS index (cosine on unit vectors): a copy of the vectors, for
    measuring an IVF index against."""
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


EXACT_BELOW = 100_000  # vectors: fewer are searched exactly, more by IVF. At 178k sentence vectors (5,000
# essays) exact search took 48 ms a question on 2 cores, IVF 2.5 ms at recall@10 0.98 (2026-12-05)
RECALL_TARGET = 0.995  # an IVF index probes the fewest lists that find this share of the exact top 10
# for midpoints of two stored vectors: they fall between clusters as questions do (at 1M synthetic
# vectors this target gave question vectors 0.986; the vectors themselves as probes gave 0.84)


def search_index(vectors: np.ndarray, sample_queries: int = 200) -> tuple[Any, dict[str, Any]]:
    """The FAISS index ``vectors`` are searched with, and its parameters for the manifest.

    Below EXACT_BELOW vectors: None (exact search over the vectors themselves, ExactSearch). Above: an inverted file of 2·√n
    lists, trained on 40 vectors a list (so k-means stays within minutes at 1M on 2 cores),
    probing the fewest lists (a power of two) whose top 10 holds RECALL_TARGET of the exact
    top 10 for ``sample_queries`` midpoints of two stored vectors; the recall reached is recorded.
    """
    import faiss

    n, dim = vectors.shape
    if n < EXACT_BELOW:
        return None, {"kind": "flat"}
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    nlist = int(2 * np.sqrt(n))
    rng = np.random.default_rng(0)
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
    index.train(vectors[rng.choice(n, size=min(n, 40 * nlist), replace=False)])
    index.add(vectors)
    pairs = vectors[rng.choice(n, size=(min(n, sample_queries), 2))].sum(axis=1)
    queries = np.ascontiguousarray(pairs / np.linalg.norm(pairs, axis=1, keepdims=True), dtype=np.float32)
    _, exact = flat_index(vectors).search(queries, 10)
    nprobe, recall = 1, 0.0
    while True:
        index.nprobe = nprobe
        _, found = index.search(queries, 10)
        recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact, found, strict=True)]))
        if recall >= RECALL_TARGET or nprobe >= nlist:
            break
        nprobe = min(nprobe * 2, nlist)
    return index, {"kind": "ivf", "nlist": nlist, "nprobe": nprobe, "recall_at_10": round(recall, 4),
                   "sample_queries": len(queries)}  # fmt: skip


@contextlib.contextmanager
def build_lock(index_dir: str | Path) -> Iterator[None]:
    """Hold an exclusive lock so two processes never build the same index at once.

    A build that fails leaves the folder as it found it: a folder it had to create is removed
    again when only the lock is in it, and a lock file it had to create is removed.
    """
    root = Path(index_dir)
    had_root, lock = root.is_dir(), root / ".lock"
    had_lock = lock.exists()
    try:
        root.mkdir(parents=True, exist_ok=True)
        handle = open(lock, "w")
    except OSError as exc:
        raise IndexWriteError(
            f"cannot write the index in {str(root)!r} ({exc.strerror or exc}): make the folder writable,"
            " or use another index folder") from exc  # fmt: skip
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("waiting for another build of the index in %s to finish …", root)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        except BaseException:
            if not had_lock:
                lock.unlink(missing_ok=True)
            if not had_root and not any(root.iterdir()):
                root.rmdir()
            raise
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_vectors(path: Path, vectors: np.ndarray) -> None:
    """``vectors`` as a float32 .npy file, synced to disk."""
    with open(path, "wb") as handle:
        np.save(handle, np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)
        handle.flush()
        os.fsync(handle.fileno())


def _read_vectors(path: Path) -> np.ndarray:
    """The float32 matrix a .npy file holds, memory-mapped read-only (not read into memory)."""
    vectors = np.load(path, mmap_mode="r", allow_pickle=False)
    if vectors.dtype != np.float32 or vectors.ndim != 2:
        raise ValueError(f"{path.name} holds {vectors.dtype} of {vectors.ndim} dimensions, not a float32 matrix")
    return vectors


def _read_faiss_vectors(path: Path) -> np.ndarray:
    """The vectors of a format-3 index, which kept them in FAISS files (``path``'s .faiss sibling)."""
    import faiss

    index = faiss.read_index(str(path.with_suffix(".faiss")))
    if isinstance(index, faiss.IndexIVF):
        index.make_direct_map()  # so its vectors can be read back by row
    return np.ascontiguousarray(index.reconstruct_n(0, index.ntotal), dtype=np.float32).reshape(-1, index.d)


def _row(item: Any) -> dict[str, Any]:
    """A dataclass as a dict, its fields as they are: ``asdict`` deep-copies every field, a tenth
    of a rebuild's writing (a document's metadata dict is written the same either way)."""
    return {f.name: getattr(item, f.name) for f in fields(item)}


def _write_jsonl(path: Path, rows: Iterator[dict[str, Any]] | Any) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _as_row(**row: Any) -> dict[str, Any]:
    return row


_SHARED = ("source", "section", "kind")  # row fields whose values repeat across rows


def _read_rows(path: Path, make: Callable[..., T], shared: dict[str, str]) -> Iterator[T]:
    """Each line of a JSON-lines file made into ``make(**row)``, the values of _SHARED fields
    taken from ``shared`` (a sentence's source and section are then one string per essay and section)."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                for key in _SHARED:
                    if isinstance(value := row.get(key), str):
                        row[key] = shared.setdefault(value, value)
                yield make(**row)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a synced temporary file and a rename: all of it or none."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
