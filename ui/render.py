"""Turn answers and their citations into safe chat Markdown and sources-panel HTML.

Everything that comes from an essay or a user is escaped here, once, before it reaches the
browser: the sources panel is HTML built with ``html.escape``, and the chat's answer text is
Markdown in which raw HTML and link syntax from quotes are neutralised, so an essay holding
``<script>`` or ``[link](javascript:...)`` is shown as the characters it contains.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from rag.ingest.structure import WRAP_MIN
from rag.types import Answer, Citation, Document

_BRACKET_OR_MARKER = re.compile(r"\[\d{1,3}\]|[\[\]]")
_LINE_BREAKS = re.compile(r"\s*\n\s*")  # \s also matches the essays' non-breaking spaces

# -- chat Markdown ------------------------------------------------------------------------
_QUOTE_SPECIALS = re.compile(r"[\\`*_\[\]~|]|(?:^|(?<=\n))[ \t]*(?:[#>+-]|\d+\.)")
_UNESCAPE = re.compile(r"\\([\\`*_\[\]~|#>+\-.])")


def safe_markdown(text: str, quotes: Iterable[str] = ()) -> str:
    """Answer text as Markdown that shows essay text literally.

    Everywhere: ``&`` and ``<`` become entities (so no HTML and no autolinks) and square
    brackets other than ``[n]`` citation markers are escaped (so no link or image syntax).
    Inside the quoted sentences every other Markdown character is escaped too, so a quote
    renders exactly as written, save the essay's own emphasis (``*Aurelia*``, ``**never**``),
    shown as emphasis as in the sources panel; the answerer's own emphasis and lists keep working.
    """
    out, pos = [], 0
    for start, end in _quote_spans(text, quotes):
        out.append(_neutral(text[pos:start]))
        out.append(_emphasised(_literal(text[start:end])))
        pos = end
    out.append(_neutral(text[pos:]))
    return "".join(out)


def sources_footer(citations: Sequence[Citation]) -> str:
    """The lines under an answer that say which essay each marker cites ("Sources: [1] [2] Title,
    Author (file)"), so an answer copied out of the chat keeps its sources; '' without citations."""
    if not citations:
        return ""
    by_essay: dict[str, list[Citation]] = {}
    for c in citations:
        by_essay.setdefault(c.passage.source, []).append(c)
    lines = []
    for group in by_essay.values():
        p = group[0].passage
        who = f", {p.author}" if p.author else ""
        lines.append(" ".join(f"[{c.number}]" for c in group) + " " + _literal(f"{p.title}{who} ({p.source})"))
    return "\n\nSources: " + "  \n".join(lines)


def literal_markdown(text: str) -> str:
    """Markdown that shows ``text`` exactly as typed: the user's own chat bubble, where an
    image, a link or a tag in a question must stay text and never make the browser fetch.
    Bare addresses ("http://…", "www.…", "a@b.org") get an entity for one character, so the
    Markdown renderer does not turn them into links; they still read as typed."""
    return _AUTOLINK.sub(lambda m: m.group(1) + _ENTITY[m.group(2)], _literal(text))


_AUTOLINK = re.compile(r"(?i)(\b(?:https?|ftp|mailto)|\bwww|\w)([:.@])(?=[/\w])")
_ENTITY = {":": "&#58;", ".": "&#46;", "@": "&#64;"}


def plain_text(markdown: str) -> str:
    """Undo ``safe_markdown``: the answer text as the answerer wrote it (for chat history)."""
    text = _UNESCAPE.sub(r"\1", markdown)
    for char, entity in _ENTITY.items():
        text = text.replace(entity, char)
    return text.replace("&lt;", "<").replace("&amp;", "&")


def _neutral(text: str) -> str:
    text = text.replace("\\", "\\\\")
    text = _BRACKET_OR_MARKER.sub(lambda m: m.group() if len(m.group()) > 1 else "\\" + m.group(), text)
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _literal(text: str) -> str:
    def escape(m: re.Match[str]) -> str:
        token = m.group()
        if len(token) == 1:
            return "\\" + token
        stripped = token.lstrip(" \t")  # a line start: '# ', '- ', '1. ' ...
        lead = token[: len(token) - len(stripped)]
        return lead + (stripped[:-1] + "\\." if stripped.endswith(".") else "\\" + stripped)

    return _QUOTE_SPECIALS.sub(escape, text).replace("&", "&amp;").replace("<", "&lt;")


# An essay's inline emphasis, once ``_literal`` has escaped it: "\\*Aurelia\\*" renders as *Aurelia* again.
# Only a pair around words, as Markdown reads it ("5 * 3 * 2" and "window.__xss" stay as they are).
_ESCAPED_STRONG = re.compile(r"\\\*\\\*(?=[^\s\\])((?:(?!\\\*)[^\n])+?)(?<=[^\s\\])\\\*\\\*(?![\w\\])")
_ESCAPED_EM = re.compile(r"(?<![\w\\])\\([*_])(?=[^\s\\])((?:(?!\\[*_])[^\n])+?)(?<=[^\s\\])\\\1(?![\w\\])")


def _emphasised(literal: str) -> str:
    """``_literal``'s output with the essay's emphasis pairs unescaped, so they render as emphasis."""
    return _ESCAPED_EM.sub(r"\1\2\1", _ESCAPED_STRONG.sub(r"**\1**", literal))


def _quote_spans(text: str, quotes: Iterable[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) of each quote's first occurrence in ``text``, in order."""
    spans: list[tuple[int, int]] = []
    for quote in sorted({q for q in quotes if q}, key=len, reverse=True):
        at = text.find(quote)
        while at >= 0 and any(at < e and s < at + len(quote) for s, e in spans):
            at = text.find(quote, at + 1)
        if at >= 0:
            spans.append((at, at + len(quote)))
    return sorted(spans)


def message_text(content: Any) -> str:
    """The text of a chat message's content, whatever shape Gradio gives it."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or content.get("content") or "")
    if isinstance(content, (list, tuple)):
        return "\n".join(filter(None, (message_text(part) for part in content)))
    return str(content)


def history_for_assistant(history: Iterable[Any]) -> list[dict[str, str]]:
    """Chat history as plain ``{"role", "content"}`` text dicts, answer Markdown undone."""
    turns: list[dict[str, str]] = []
    for message in history or []:
        if isinstance(message, str):
            turns.append({"role": "user", "content": message})
            continue
        role = message.get("role", "user") if isinstance(message, dict) else "user"
        text = message_text(message.get("content") if isinstance(message, dict) else message)
        if role == "assistant":
            text = plain_text(text)
        if text.strip() and role in ("user", "assistant"):
            turns.append({"role": role, "content": text})
    return turns


# -- sources panel HTML -------------------------------------------------------------------
def _prose(text: str) -> str:
    """Escaped text with line breaks kept (blank lines become one paragraph gap)."""
    def br(match: re.Match[str]) -> str:
        return "<br><br>" if match.group().count("\n") > 1 else "<br>"

    escaped = _HEADING_LINE.sub(r"<strong>\1</strong>", html.escape(text))  # "## Parts" shows as a heading
    escaped = _EM.sub(r"<em>\2</em>", _STRONG.sub(r"<strong>\1</strong>", escaped))  # "*Aurelia*" in italics
    return _LINE_BREAKS.sub(br, escaped)


_HEADING_LINE = re.compile(r"^#{1,6} (.+)$", re.MULTILINE)
_STRONG = re.compile(r"\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*(?!\w)")
_EM = re.compile(r"(?<![\w*])([*_])(?=[^\s*_])([^*_\n]+?)(?<=[^\s*_])\1(?![\w*])")


_SOFT_WRAP = re.compile(rf"(?<=[^\n]{{{WRAP_MIN}}})\n(?=[ \t]*[^\s\-*+•|#>\d])")


def _unwrapped(text: str) -> str:
    """A hard-wrapped paragraph's line breaks as spaces, one for one so offsets hold: a break after
    a line of WRAP_MIN characters or more, before a line that opens no list item, row, heading or
    quote (the wrap length rag.ingest.structure reads paragraphs by); short lines, as in verse, keep theirs."""
    return _SOFT_WRAP.sub(" ", text)


def _marked(text: str, base: int, spans: Sequence[tuple[int, int, int]]) -> str:
    """``text`` (which starts at offset ``base``) escaped, with each [start, end) span in a <mark>
    whose class names its citation number (``rag-q3``), so a click on [3] can find its quote."""
    out, pos = [], 0
    for start, end, number in sorted(spans):
        lo, hi = max(start - base, pos), min(end - base, len(text))
        if lo >= hi:
            continue
        out.append(f'{_prose(text[pos:lo])}<mark class="rag-q{number}">{_prose(text[lo:hi])}</mark>')
        pos = hi
    return "".join(out) + _prose(text[pos:])


def _spans(citations: Sequence[Citation]) -> list[tuple[int, int, int]]:
    return [(c.quote_start, c.quote_end, c.number) for c in citations]


def passage_html(citations: Sequence[Citation]) -> str:
    """The cited passage with its quotes highlighted; a quote that lies outside it is shown on its own."""
    p = citations[0].passage
    body = _marked(_unwrapped(p.text), p.start, _spans(citations))
    extra = "".join(
        f'<p class="rag-quote"><mark class="rag-q{c.number}">{_prose(_unwrapped(c.quote))}</mark></p>'
        for c in citations
        if not (p.start <= c.quote_start and c.quote_end <= p.end)
    )
    return f'<blockquote class="rag-passage">{body}</blockquote>{extra}'


def essay_html(citations: Sequence[Citation], document: Document) -> str:
    """The whole essay, the passage tinted and the quotes marked, inside a <details> element."""
    p, text = citations[0].passage, _unwrapped(document.text)
    passage = _marked(text[p.start : p.end], p.start, _spans(citations))
    body = f'{_prose(text[: p.start])}<span class="rag-in-passage">{passage}</span>{_prose(text[p.end :])}'
    words = len(text.split())
    return (
        '<details class="rag-essay"><summary>Read the whole essay'
        f' <span class="rag-muted">({words:,} words, passage highlighted)</span></summary>'
        f'<div class="rag-essay-text">{body}</div></details>'
    )


def citation_html(citations: Sequence[Citation], document: Document | None) -> str:
    """One card of the sources panel: a passage, with the numbers of every citation that quotes it."""
    p = citations[0].passage
    author = f"{html.escape(p.author)} · " if p.author else ""
    essay = essay_html(citations, document) if document is not None else ""
    numbers = "".join(f'<span class="rag-num">{c.number}</span>' for c in citations)
    # a passage the search did not rank: a list's next point, what follows a quote, an essay's central sentences
    score = f"score {p.score:.3f}" if p.score else "read from the essay, not ranked by the search"
    path = p.section.split(" › ")
    path = path[1:] if path and path[0] == p.title else path  # the title is shown just above
    section = f'<div class="rag-section">{html.escape(" › ".join(path))}</div>' if path and path != [""] else ""
    return (
        f'<article class="rag-source" id="rag-source-{citations[0].number}">'
        f'<header><span class="rag-nums">{numbers}</span><div>'
        f'<div class="rag-title">{html.escape(p.title)}</div>{section}'
        f'<div class="rag-byline">{author}'
        f'<span class="rag-muted">{html.escape(p.source)} · {score}</span></div>'
        f"</div></header>{passage_html(citations)}{essay}</article>"
    )


def by_passage(citations: Iterable[Citation]) -> list[list[Citation]]:
    """Citations grouped by the passage they quote, in order of first citation: two quotes from
    one passage share a card instead of showing the passage twice."""
    groups: dict[tuple[str, int, int], list[Citation]] = {}
    for c in citations:
        groups.setdefault((c.passage.source, c.passage.start, c.passage.end), []).append(c)
    return list(groups.values())


def sources_html(answer: Answer, document: Callable[[str], Document | None]) -> str:
    """The sources panel for one answer: a heading, then a card per cited passage."""
    question = html.escape(answer.question or "")
    if not answer.citations:
        # a refusal says why in its own words ("The essays don't answer that question.", "There is
        # no earlier answer for that to follow up ...")
        note = f"{answer.text.strip()} Nothing is cited." if answer.refused else "No passages were cited."
        return f'<div class="rag-sources rag-empty"><p class="rag-asked">{question}</p><p>{html.escape(note)}</p></div>'
    label = "Closest passage" if answer.refused else "Sources"
    cards = "".join(
        citation_html(group, _lookup(document, group[0].passage.source)) for group in by_passage(answer.citations)
    )
    return (
        f'<div class="rag-sources"><p class="rag-heading">{label}'
        f' <span class="rag-muted">for</span> <span class="rag-asked">{question}</span></p>{cards}</div>'
    )


def empty_panel(documents: Iterable[Document]) -> str:
    """The sources panel before any question: what will appear here, and the essays asked about."""
    items = "".join(
        f"<li><em>{html.escape(d.title)}</em>"
        + (f" <span class=\"rag-muted\">by {html.escape(d.author)}</span>" if d.author else "")
        + "</li>"
        for d in sorted(documents, key=lambda d: d.title.lower())
    )
    return (
        '<div class="rag-sources rag-empty">'
        "<p><strong>Sources</strong> appear here: each cited passage with its quote highlighted,"
        " and the whole essay one click away.</p>"
        f'<p class="rag-collection">The essays:</p><ul>{items}</ul></div>'
    )


def message_html(text: str) -> str:
    """A short escaped note for the sources panel (errors, progress)."""
    return f'<div class="rag-sources rag-empty"><p>{html.escape(text)}</p></div>'


def _lookup(document: Callable[[str], Document | None], source: str) -> Document | None:
    try:
        return document(source)
    except KeyError:
        return None
