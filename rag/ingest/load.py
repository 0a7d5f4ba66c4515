"""Read a folder of essays into Documents, keeping each text exactly as in its file.

Plain text and Markdown are read as UTF-8 (a BOM is dropped); PDF, HTML and Word (.docx)
files are extracted to Markdown-flavoured text (formats.py), which the index stores so that
quotes stay verbatim against it. Binary, undecodable, empty, oversized and unextractable
files (a scanned PDF) are skipped with a warning naming them; a folder with no readable
essay is a CorpusError. Metadata comes from ``metadata.json`` in the folder (keyed by file
name; it wins), from Markdown front matter or the file's own properties, or from the
essay's first lines: the first heading or a plain-text file's short first line is the
title, a "by NAME" or "Author: NAME" line the author; the file name is the last resort for the title.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import CorpusError
from ..types import Document
from . import formats

log = logging.getLogger("rag")

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
SUFFIXES = TEXT_SUFFIXES + formats.SUFFIXES
SIDECAR = "metadata.json"
MAX_FILE_BYTES = 20 * 1024 * 1024
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.DOTALL)
_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^#{1,2}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def load_corpus(seeds_dir: str | Path) -> list[Document]:
    """Every readable essay under ``seeds_dir``, sorted by source path."""
    root = Path(seeds_dir)
    if root.is_file():
        raise CorpusError(f"{str(root)!r} is a file: name the folder that holds it (essays are read from a folder)")
    if not root.is_dir():
        raise CorpusError(f"seeds folder {str(root)!r} does not exist: create it and add essays (.txt, .md, .pdf, .html, .docx)")
    sidecar = read_sidecar(root)
    documents = []
    for path in sorted(essay_paths(root)):
        doc = read_document(path, root, sidecar.get(path.relative_to(root).as_posix(), {}))
        if doc is not None:
            documents.append(doc)
    if not documents:
        raise CorpusError(
            f"no readable essay in {str(root)!r}: add essays as {', '.join(SUFFIXES)} files"
        )
    return documents


def essay_paths(root: Path) -> list[Path]:
    """Candidate essay files below ``root``, skipping hidden files and folders; a broken link is
    one too, so that reading it says what is wrong instead of passing over it."""
    return [
        p
        for p in root.rglob("*")
        if (p.is_file() or p.is_symlink() and not p.exists())
        and p.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]


def corpus_hashes(seeds_dir: str | Path) -> dict[str, str]:
    """sha256 of every candidate essay file (readable or not), to detect a changed corpus."""
    root = Path(seeds_dir)
    hashes = {p.relative_to(root).as_posix(): _file_hash(p) for p in sorted(essay_paths(root))}
    sidecar = root / SIDECAR
    if sidecar.is_file():
        hashes[SIDECAR] = _file_hash(sidecar)
    return hashes


def _file_hash(path: Path) -> str:
    """sha256 of the file's bytes; for a file that cannot be read (it is skipped), its size and
    time, so that it counts as changed once it is fixed."""
    try:
        return _sha256(path.read_bytes())
    except OSError:
        try:
            stat = path.stat()
        except OSError:
            return "unreadable"
        return f"unreadable {stat.st_size} {stat.st_mtime_ns}"


def read_sidecar(root: Path) -> dict[str, dict[str, Any]]:
    """The folder's ``metadata.json``: file name -> {title, author, ...}; empty if absent."""
    path = root / SIDECAR
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        log.warning("ignoring %s: not valid JSON (%s)", path, exc)
        return {}
    if not isinstance(data, dict):
        log.warning("ignoring %s: expected an object keyed by file name", path)
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)}


# a well-formed multi-byte UTF-8 character: rare in Windows-1252 text ("Ã©"), common in UTF-8 with one bad byte
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _windows_1252(raw: bytes) -> str | None:
    """Text that is not UTF-8 read as Notepad's and Word's "ANSI" (Windows-1252), or None when it holds
    a UTF-8 character (a UTF-8 file with a stray byte: as 1252 its accents would be garbled) or one
    of the five bytes 1252 leaves undefined."""
    if _UTF8_SEQUENCE.search(raw):
        return None
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return None


def read_document(path: Path, root: Path, meta: dict[str, Any]) -> Document | None:
    """One essay, or None (with a warning) when the file is not readable text."""
    source = path.relative_to(root).as_posix()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        if path.is_symlink() and not path.exists():
            log.warning("skipping %s: it is a link to %s, which does not exist", source, path.readlink())
        else:
            log.warning("skipping %s: cannot read it (%s)", source, exc.strerror or exc)
        return None
    if len(raw) > MAX_FILE_BYTES:
        log.warning("skipping %s: %d bytes is over the %d-byte limit", source, len(raw), MAX_FILE_BYTES)
        return None
    suffix = path.suffix.lower()
    if suffix in formats.SUFFIXES:
        try:
            extracted = formats.extract(suffix, raw)
        except formats.Unreadable as exc:
            log.warning("skipping %s: %s", source, exc)
            return None
        return _document(source, raw, extracted.text, {**extracted.metadata, **_set(meta)}, plain=False)
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        log.warning("skipping %s: it is UTF-16 text; save it as UTF-8", source)
        return None
    if b"\x00" in raw:
        log.warning("skipping %s: it looks binary (contains NUL bytes)", source)
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        ansi = _windows_1252(raw)
        if ansi is None:
            log.warning("skipping %s: not UTF-8 text (bad byte at offset %d); save it as UTF-8", source, exc.start)
            return None
        text = ansi
        log.warning("%s is not UTF-8 (bad byte at offset %d): read as Windows-1252; save it as UTF-8 if that is wrong",
                    source, exc.start)  # fmt: skip
    if not text.strip():
        log.warning("skipping %s: it is empty", source)
        return None
    return _document(source, raw, text, {**front_matter(text), **_set(meta)}, plain=suffix == ".txt")


def _set(meta: dict[str, Any]) -> dict[str, Any]:
    """The sidecar's entries that say something (a null leaves the file's own value)."""
    return {k: v for k, v in meta.items() if v is not None}


def _document(source: str, raw: bytes, text: str, info: dict[str, Any], plain: bool) -> Document:
    """A Document of ``text``; title and author from ``info``, else the text's first lines."""
    top = top_lines(text, plain=plain)
    name = Path(source)
    title = str(info.get("title") or (None if plain else markdown_title(text)) or top.get("title") or title_from_name(name))
    author = info.get("author") or top.get("author")
    metadata = {k: str(v) for k, v in info.items() if k not in ("title", "author")}
    return Document(
        source=source,
        text=text,
        title=title,
        author=str(author) if author else None,
        sha256=_sha256(raw),
        metadata=metadata,
    )


def body_start(text: str) -> int:
    """Where the essay proper begins: after a leading ``---`` front-matter block, else 0.
    Front matter is metadata, never a sentence or a passage to quote."""
    match = _FRONT_MATTER.match(text)
    return match.end() if match else 0


def front_matter(text: str) -> dict[str, Any]:
    """``key: value`` pairs of a leading ``---`` YAML block, or {} when there is none."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


BYLINE = re.compile(
    r"^[ \t]*(?i:(?:written[ \t]+)?by(?:[ \t]*:)?|authors?[ \t]*:)[*_]*"
    r"[ \t]+([A-Z][\w.'’-]*(?:[ \t]+(?:[A-Z][\w.'’-]*|de|la|van|von|da|bin|and|&))*)[ \t]*"
    r"(?:(?:,|[ \t]*[|—–]|[ \t]+-)[ \t]*(.*?))?[ \t]*$"
)  # "by Priya Raman", "By Ana de la Cruz and Li Wei", "Author: Ingrid Solberg", "**Author:** Li Wei":
# capitalised words, a few particles; then perhaps a title or an affiliation after a comma, "|" or a
# dash ("Dr. Jo Hale, Senior Fellow, Halden Institute", "Li Wei | March 2024")
_SENTENCE_END = re.compile(r"\b[a-z]{2,}[.!?][\"”’)]*$")  # "By Tuesday, the talks had collapsed."


def byline(line: str) -> str | None:
    """The author's name on a byline line, or None when the line is no byline. A name followed by
    more ("Dr. Jo Hale, Senior Fellow") has two or more words, and what follows reads as no sentence."""
    match = BYLINE.match(line.strip().strip("*_ "))
    if not match or not match.group(1).split()[-1][:1].isupper():
        return None
    name, tail = match.group(1), match.group(2)
    if tail is not None and (len(name.split()) < 2 or _SENTENCE_END.search(tail)):
        return None
    return name


TOP_LINES = 6  # a byline is looked for among the first non-empty lines
TITLE_WORDS = 30  # a first line right above a byline is the title up to this long, whatever it ends with


def top_lines(text: str, plain: bool) -> dict[str, str]:
    """Title and author read off an essay's first lines: a "by NAME" line is the author, and in
    plain text a short first line without closing punctuation, or any first line right above the
    byline, is the title."""
    lines = [line.strip() for line in _FRONT_MATTER.sub("", text, count=1).splitlines() if line.strip()][:TOP_LINES]
    found: dict[str, str] = {}
    author = next((name for name in map(byline, lines) if name), None)
    if author:
        found["author"] = author
    first = lines[0] if lines else ""
    above_byline = len(lines) > 1 and bool(byline(lines[1])) and len(first.split()) <= TITLE_WORDS
    short = len(first.split()) <= 14 and not first.endswith((".", "!", "?", ":", ";", ","))
    if plain and first and (short or above_byline) and not byline(first):
        found["title"] = first
    return found


def markdown_title(text: str) -> str | None:
    """The first level-1 or level-2 heading of a Markdown text."""
    front = _FRONT_MATTER.match(text)
    body = text[front.end() :] if front else text
    body = _FENCE.sub("", body)  # a '# comment' inside a code block is not a heading
    match = _HEADING.search(body)
    return match.group(1).strip() if match else None


def title_from_name(path: Path) -> str:
    """A readable title from a file name: ``my-essay_2024`` -> ``My essay 2024``; a spaced dash and
    a range of years stay (``Letter to Ms Okafor - roof works``, ``report 2023-24``)."""
    words = " ".join(re.sub(r"_+|(?<=[^\W\d_])-+(?=[^\W\d_])", " ", path.stem).split())
    return words[:1].upper() + words[1:] if words else path.name


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
