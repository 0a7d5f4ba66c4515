"""Text out of PDF, HTML and Word files, written as Markdown so one reader handles every format.

Each extractor returns the text the index stores for the document (quotes and offsets point
into it, and the sources panel shows it), with ``#`` headings, ``-`` / ``1.`` list items and
``|`` table rows marking the structure it found (see structure.py), plus the metadata the
file carries (title, author, date). An extractor raises ``Unreadable`` with a message for the
user when a file cannot give text.

- PDF (pypdf): see pdf.py.
- HTML (BeautifulSoup with Python's html.parser): the ``<article>`` or ``<main>`` element when
  there is one, else ``<body>``; scripts, styles, navigation, headers, footers, asides and
  forms are dropped, and so is what a saved page wraps its text in: elements whose class or id
  names furniture (comments, related stories, menus, share buttons, a wiki's references;
  Mozilla Readability's pattern), "[3]" and "[edit]" markers, lists that are only links (a
  menu, a table of contents) and skip links; a ``<details>`` element's summary is a heading;
  entities are decoded and inline white space is collapsed.
- DOCX (python-docx): paragraphs and tables in document order; "Title" and "Heading N"
  styles become headings, "List ..." styles and numbered paragraphs list items.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

PDF, HTML, DOCX = (".pdf",), (".html", ".htm", ".xhtml"), (".docx",)
SUFFIXES = PDF + HTML + DOCX


class Unreadable(Exception):
    """A file of a known format that gives no text; the message says why, for the user."""


@dataclass(frozen=True)
class Extracted:
    """What a file gives: its text as Markdown, and the metadata it carries."""

    text: str
    metadata: dict[str, str] = field(default_factory=dict)  # title, author, date when present


def extract(suffix: str, raw: bytes) -> Extracted:
    """The text and metadata of a PDF, HTML or DOCX file's bytes (see module docstring)."""
    from .pdf import pdf_text  # it imports this module's types

    reader = {**dict.fromkeys(PDF, pdf_text), **dict.fromkeys(HTML, html_text), **dict.fromkeys(DOCX, docx_text)}[suffix]
    try:
        return reader(raw)
    except Unreadable:
        raise
    except Exception as exc:  # a damaged file of any kind is one file skipped, never a failed build
        raise Unreadable(f"it cannot be read as a {suffix[1:].upper()} file ({type(exc).__name__}: {exc})") from exc


# --------------------------------------------------------------------------------------- HTML

_DROP = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "button",
         "svg", "iframe", "select", "menu", "dialog")  # fmt: skip
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCKS = frozenset(
    "p div section article main blockquote figure figcaption pre address dl dt dd ul ol li table tr "
    "hr br details summary".split()
) | frozenset(_HEADINGS)


def html_text(raw: bytes) -> Extracted:
    """A web page's article text: headings, paragraphs, list items and table rows."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "html.parser")
    meta = _html_metadata(soup)
    root = soup.find("article") or soup.find("main") or soup.find("body") or soup
    _drop_furniture(root)
    for tag in root.find_all(_DROP):
        if tag.find(["h1"]) is None or tag.name != "header":
            tag.decompose()
        else:  # an article's own <header> holds its title: keep the heading, drop the rest
            for other in tag.find_all(True):
                if other.name != "h1" and other.find("h1") is None and other.parent is not None:
                    other.decompose()
    out = _HtmlWriter()
    out.walk(root)
    text = out.result()
    if not text.strip():
        raise Unreadable("the page has no text outside scripts, styles and navigation")
    return Extracted(text, meta)


# Mozilla Readability's "unlikely candidates": class or id names of page furniture, unless the name
# also says it holds the text (its "maybe candidate" pattern)
_FURNITURE = re.compile(
    r"-ad-|ai2html|banner|breadcrumbs|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|"
    r"legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|"
    r"ad-break|agegate|pagination|pager|popup|yom-remote|"
    r"references|reflist", re.I)  # fmt: skip  # and a wiki's list of references ("^ "Title". Publisher.")
_HOLDS_TEXT = re.compile(r"and|article|body|column|content|main|shadow", re.I)
_BRACKETED = re.compile(r"\[[^\[\]]{1,30}\]")  # "[3]", "[edit]", "[citation needed]"
_INLINE = frozenset("a span sup sub small".split())  # where such markers and skip links are set


def _drop_furniture(root: Any) -> None:
    """Drop what a saved web page wraps its text in: elements named as furniture (comments,
    related stories, share buttons, menus ...; see _FURNITURE), reference and edit markers,
    lists whose every item is only a link (a site menu, a table of contents) and links that
    skip to the content. The element holding the page's <h1> is kept."""
    title = root.find("h1")
    keep = {id(t) for t in (title, *title.parents)} if title is not None else set()
    for tag in reversed(root.find_all(True)):  # inner first: a table of contents' nested lists go before it
        if tag.parent is None or id(tag) in keep:  # dropped with an inner one, or holds the title
            continue
        name = " ".join([*tag.get("class", []), tag.get("id", "")])
        if _FURNITURE.search(name) and not _HOLDS_TEXT.search(name):
            tag.decompose()
        elif tag.name in ("ul", "ol"):
            if _only_links(tag):
                tag.decompose()
        elif tag.name in _INLINE:  # a marker, or a link that skips to the content
            text = " ".join(tag.get_text(" ").split())
            skip = tag.name == "a" and str(tag.get("href", "")).startswith("#") and re.match(r"skip\b", text, re.I)
            if _BRACKETED.fullmatch(text) or skip:
                tag.decompose()


def _only_links(listing: Any) -> bool:
    """True for a list whose every item is a link and nothing else (a menu, a table of contents)."""
    items = listing.find_all("li", recursive=False)
    return bool(items) and all(
        (link := item.find("a")) is not None
        and " ".join(link.get_text(" ").split()) == " ".join(item.get_text(" ").split())
        for item in items
    )


def _html_metadata(soup: Any) -> dict[str, str]:
    """Title, author and date from the page's head (meta tags, ``<title>``) or its article."""
    def meta(*names: str) -> str:
        for name in names:
            tag = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
            if tag and tag.get("content", "").strip():
                return " ".join(str(tag["content"]).split())
        return ""

    found = {
        "title": meta("og:title", "twitter:title", "citation_title", "dc.title"),
        "author": meta("author", "article:author", "citation_author", "dc.creator"),
        "date": meta("article:published_time", "date", "citation_publication_date", "dc.date"),
    }
    heading = soup.find("h1")
    h1 = " ".join(_BRACKETED.sub(" ", heading.get_text(" ")).split()) if heading is not None else ""  # no "[edit]"
    if h1 and re.match(re.escape(h1) + r"\s+[-|–—·:]\s+\S", found["title"]):  # "Orlesk Canal - Openwiki"
        found["title"] = h1  # the page's own title, without the site's name
    if not found["title"] and h1:
        found["title"] = h1
    if not found["title"] and soup.title is not None:
        found["title"] = " ".join(soup.title.get_text(" ").split())
    if not found["author"]:
        by = soup.find(attrs={"rel": "author"}) or soup.find(attrs={"itemprop": "author"})
        if by is not None:  # "View all posts by Priya Lindqvist →" names Priya Lindqvist
            name = re.sub(r"^.*?\bby\s+", "", " ".join(by.get_text(" ").split()), flags=re.I)
            found["author"] = name.strip(" →»›>|-–—·")
    if not found["date"]:
        time = soup.find("time")
        if time is not None and time.get("datetime"):
            found["date"] = str(time["datetime"])
    return {k: v for k, v in found.items() if v}


class _HtmlWriter:
    """Walks an element tree and writes one Markdown block per HTML block."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.inline: list[str] = []
        self.prefix = ""
        self.level = 1  # of the last heading written: a <summary> is a heading one level below

    def walk(self, node: Any) -> None:
        from bs4 import Comment, Declaration, Doctype, NavigableString, ProcessingInstruction

        for child in node.children:
            if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString):
                self.inline.append(str(child))
                continue
            name = child.name
            if name not in _BLOCKS:
                self.walk(child)
            elif name in _HEADINGS or name == "summary":  # a <details> element's summary: an FAQ's question
                self.flush()
                self.prefix = "#" * (_HEADINGS.get(name) or self.level + 1) + " "
                self.walk(child)
                self.flush()
                if name != "summary":
                    self.level = _HEADINGS[name]
            elif name in ("ul", "ol"):
                self.flush()
                for n, item in enumerate(child.find_all("li", recursive=False), 1):
                    self.prefix = f"{n}. " if name == "ol" else "- "
                    self.walk(item)
                    self.flush()
            elif name == "table":
                self.flush()
                self.table(child)
            else:
                self.flush()
                self.walk(child)
                self.flush()

    def table(self, table: Any) -> None:
        rows = [r for r in table.find_all("tr") if r.find_parent("table") is table]
        cells = [[" ".join(c.get_text(" ").split()) for c in row.find_all(["td", "th"])] for row in rows]
        if any(any(row) for row in cells):
            self.blocks.append(pipe_table(cells))

    def flush(self) -> None:
        text = " ".join("".join(self.inline).split())
        if text:
            self.blocks.append(self.prefix + text)
        self.inline, self.prefix = [], ""

    def result(self) -> str:
        self.flush()
        return "\n\n".join(self.blocks) + "\n" if self.blocks else ""


# --------------------------------------------------------------------------------------- DOCX


def docx_text(raw: bytes) -> Extracted:
    """A Word document's paragraphs, headings, list items and tables, in document order."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(raw))
    blocks: list[str] = []
    numbered = 0
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "tbl":
            blocks.extend(_docx_table(Table(element, document)))
            numbered = 0
            continue
        if tag != "p":
            continue
        paragraph = Paragraph(element, document)
        text = " ".join(paragraph.text.split())
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level = _docx_heading(style) or _bold_heading(paragraph, text, titled=any(not b.startswith("#") for b in blocks))
        if level:
            blocks.append("#" * level + " " + text)
        elif style.startswith("List Number"):
            numbered += 1
            blocks.append(f"{numbered}. {text}")
            continue
        elif style.startswith("List") or element.pPr is not None and element.pPr.numPr is not None:
            blocks.append("- " + text)
        else:
            blocks.append(text)
        numbered = 0
    props = document.core_properties
    author = props.author if props.author and props.author != "python-docx" else ""  # its template's default
    meta = {"title": props.title or "", "author": author or "",
            "date": props.created.date().isoformat() if props.created else ""}  # fmt: skip
    if meta["title"] and generated_title(meta["title"]):
        meta["title"] = ""
    if not blocks:
        raise Unreadable("the document has no text")
    return Extracted("\n\n".join(blocks) + "\n", {k: v.strip() for k, v in meta.items() if v and v.strip()})


def _bold_heading(paragraph: Any, text: str, titled: bool) -> int:
    """2 for a short paragraph set all in bold and not closed by a stop ("Membership", "3. Finance
    report": a heading as office users make one, without a heading style); 1 when nothing but
    such lines is above it (``titled`` False: the document's title); else 0."""
    runs = [r for r in paragraph.runs if r.text.strip()]
    style_bold = bool(paragraph.style is not None and paragraph.style.font.bold)
    bold = bool(runs) and all(r.bold or (r.bold is None and style_bold) for r in runs)
    if not bold or len(text.split()) > 12 or ends_sentence(text):
        return 0
    return 2 if titled else 1


def _docx_heading(style: str) -> int:
    """1 for the "Title" style, n + 1 for "Heading n" (capped at 6), 0 for any other."""
    if style == "Title":
        return 1
    match = re.fullmatch(r"Heading (\d)", style)
    return min(int(match.group(1)) + 1, 6) if match else 0


def _docx_table(table: Any) -> list[str]:
    cells = [[" ".join(cell.text.split()) for cell in row.cells] for row in table.rows]
    return [pipe_table(cells)] if any(any(row) for row in cells) else []


def pipe_table(rows: list[list[str]]) -> str:
    """A Markdown pipe table: the first row is the header ("|" inside a cell becomes "/")."""
    lines = ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows if any(row)]
    width = max(len(row) for row in rows)
    return "\n".join(lines[:1] + ["|" + "---|" * width] + lines[1:])

# ------------------------------------------------------------------------- shared with pdf.py


def ends_sentence(text: str) -> bool:
    """True when ``text`` closes a sentence, or a clause that opens what follows (a colon)."""
    return text.rstrip(" ”\"’')]").endswith((".", "!", "?", ":", "…"))


def generated_title(title: str) -> bool:
    """True for a title a tool wrote, not the author ("Microsoft Word - draft.docx", "untitled")."""
    return bool(re.match(r"(microsoft word - |untitled\b)|.*\.(docx?|pdf|tex|indd)$", title.strip(), re.I))
