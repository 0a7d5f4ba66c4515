"""An essay's lists: written lists, points announced by a count or a lead-in, "the second one".

A list question is answered with one item per enumerated point (or the one sentence that names
them all); a quote that announces points it leaves to the sentences after it gets those points.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..ingest.sentences import normalize
from ..ingest.structure import ITEM, ROW, table_header
from ..retrieve.lexical import terms
from ..retrieve.ordinals import enumerates, lists_inline, starts_with_ordinal
from ..retrieve.retriever import Retriever
from .evidence import Evidence, as_evidence, introduces, quoted_in, reads_why
from .intent import NUMBER_WORDS, Intent


_COUNTED = re.compile(r"\b(two|three|four|five|six)\s+(?:[\w-]+\s+){0,2}?[\w-]+s\b", re.I)
_FOLLOWS_WITHIN = 600  # characters from one announced point to the next ("First, ..." then "Second, ...")


def announced(retriever: Retriever, ev: Evidence) -> list[Evidence]:
    """What quote ``ev`` announces (see ``announced_rows``), as evidence."""
    return as_evidence(retriever, announced_rows(retriever, ev.row), ev)


def announced_rows(retriever: Retriever, row: int) -> list[int]:
    """The rows sentence ``row`` announces and leaves to the sentences after it: the items of the
    written list it introduces ("The crew of STS-61 included:"), or the "First, ... Second, ..."
    points that follow a count ("There were three main reasons for its success."), the first of
    them in the very next sentence. Empty when it announces nothing, or names its points itself
    ("three areas: a, b and c")."""
    sentences, after = retriever.sentences, row + 1
    opener = sentences[row]
    if introduces(opener.text) and after < len(sentences) and sentences[after].source == opener.source:
        if sentences[after].kind == ITEM:
            return _list_rows(retriever, after)
    count = _COUNTED.search(opener.text)
    if count is None or lists_inline(opener.text):
        return []
    total, end = NUMBER_WORDS[count.group(1).lower()], opener.end
    points: list[int] = []
    for at in range(after, len(sentences)):  # only the next few sentences: a 2 MB essay has 13,000
        s = sentences[at]
        if len(points) == total or s.source != opener.source or s.start - end > _FOLLOWS_WITHIN:
            break
        n = len(points) + 1
        if starts_with_ordinal(s.text, n) or n > 2 and starts_with_ordinal(s.text, -1):  # "Finally, ..."
            points.append(at)
            end = s.end
        elif not points:  # the first point opens the very next sentence: "two cargo ships" counts no points
            break
    return points if len(points) >= 2 else []


def announced_anywhere(intent: Intent) -> bool:
    """True when a quote that announces points gets them wherever it stands among the quotes, not
    only first: a list's, and a why-question's "for three reasons." beside its cause (E101b)."""
    return bool(intent.list_size) or reads_why(intent)


def with_announced(
    retriever: Retriever, chosen: Sequence[Evidence], per_essay: bool = False, any_quote: bool = False
) -> list[Evidence]:
    """``chosen``, but when its first quote announces points it does not name, that quote and
    the points: the rest was chosen beside a sentence that was not yet the answer. With
    ``any_quote`` (a list question), the first quote that announces, wherever it stands ("Three
    lessons are usually drawn from the Stockholm case." read after the essay's opening). With
    ``per_essay`` (a comparison), each essay's quotes up to the first that announces, and its
    points ("... declined for two main causes." and "The first was ...", "The second ...")."""
    if not per_essay:
        for ev in chosen if any_quote else chosen[:1]:
            points = announced(retriever, ev)
            if points:
                return [ev, *points]
        return list(chosen)
    out: list[Evidence] = []
    for source in dict.fromkeys(e.passage.source for e in chosen):
        quotes = [e for e in chosen if e.passage.source == source]
        for i, ev in enumerate(quotes):
            points = announced(retriever, ev)
            if points:
                quotes = [*quotes[: i + 1], *(p for p in points if all(p.row != q.row for q in quotes[: i + 1]))]
                break
        out += quotes
    return out


def list_items(retriever: Retriever, candidates: Sequence[Evidence], size: int) -> list[Evidence]:
    """An essay's enumerated points when it has them (with its overview sentence), else diverse sentences."""
    best = candidates[0]
    if lists_inline(best.text) and not enumerates(best.text) and ":" not in best.text:
        return _diverse(candidates, size, floor=0.85 * best.score)  # one sentence names them all
    points = [c for c in candidates if c.score >= 0.5 * best.score and enumerates(c.text)]
    if not any(enumerates(c.text) or ":" in c.text for c in candidates[:3]):
        points = []  # enumerations far down the list answer some other question
    if not points:
        return _diverse(candidates, size, floor=0.6 * best.score)
    source = points[0].passage.source
    items = [p for p in points if p.passage.source == source][:size]
    if len(items) < 2:  # a lone "To start with, ..." opens a paragraph, not a list of points
        return _diverse(candidates, size, floor=0.6 * best.score)
    overview = next((c for c in candidates[:2] if c.passage.source == source and ":" in c.text), None)
    if overview is not None and overview.start < min(i.start for i in items):
        items = [overview, *items]
    return items


def markup_list(retriever: Retriever, candidates: Sequence[Evidence], size: int, plural: str = "") -> list[Evidence]:
    """The items of a written list ("- ..." or "1. ...") that one of the best five candidates is an
    item of, or introduces ("... four things:"), or that any candidate is an item of or introduces
    when its lead-in names ``plural``, what the question asks for ("Its terms were:", E105): the first
    sentence of every item. Of several such lists the one with exactly ``size`` items wins (when the
    question says how many), then the best-ranked; a list longer than ``size`` gives its ``size``
    best-ranked items."""
    sentences = retriever.sentences
    lists: dict[int, tuple[int, Evidence, list[int]]] = {}
    named = set(terms(plural))

    def led_by_plural(ev: Evidence) -> bool:
        if introduces(ev.text):
            return named <= set(terms(ev.text))
        lead = _list_rows(retriever, ev.row)[0] - 1 if sentences[ev.row].kind == ITEM else -1
        return lead >= 0 and introduces(sentences[lead].text) and named <= set(terms(sentences[lead].text))

    looked = [(rank, ev) for rank, ev in enumerate(candidates) if rank < 5 or named and led_by_plural(ev)]
    for rank, ev in looked:
        row = ev.row + 1 if sentences[ev.row].kind != ITEM and introduces(ev.text) else ev.row
        if row >= len(sentences) or sentences[row].kind != ITEM or sentences[row].source != ev.passage.source:
            continue
        rows = _list_rows(retriever, row)
        if len(rows) >= 2 and rows[0] not in lists:
            lists[rows[0]] = (rank, ev, rows)
    if not lists:
        return []
    _, anchor, rows = max(lists.values(), key=lambda entry: (bool(size) and len(entry[2]) == size, -entry[0]))
    order = {c.row: i for i, c in enumerate(candidates)}
    if size and len(rows) > size:
        rows = sorted(sorted(rows, key=lambda r: order.get(r, len(order)))[:size])
    return as_evidence(retriever, rows, anchor, {c.row: c.passage for c in candidates})


def _marker(retriever: Retriever, row: int) -> str:
    """The kind of list marker before sentence ``row`` on its line: "1." for a number, else its first character."""
    sentence = retriever.sentences[row]
    text = retriever.document(sentence.source).text
    line = text[text.rfind("\n", 0, sentence.start) + 1 : sentence.start].strip()
    return "1." if line[:1].isdigit() else line[:1]


def row_headers(retriever: Retriever, chosen: Sequence[Evidence]) -> dict[int, str]:
    """The header row of each quoted table row's table, keyed by the row's sentence, for the first
    quoted row of each table whose header names each of its two or more cells (an infobox's title
    row does not): a row's numbers say what they are only under their columns."""
    out: dict[int, str] = {}
    for ev in chosen:
        sentence = retriever.sentences[ev.row]
        if sentence.kind != ROW or " | " not in sentence.text or retriever.reading(ev.row) == sentence.text:
            continue  # not a row, one cell, or read without a header (it names no cell of it)
        header = table_header(retriever.document(sentence.source).text, sentence)
        if header not in out.values():
            out[ev.row] = header
    return out


def numbered(retriever: Retriever, chosen: Sequence[Evidence]) -> bool:
    """True when the quotes are the items of a numbered list ("1. Check ...", "2. Fill in ..."), as
    steps are: the answer numbers them too."""
    items = [e for e in chosen if retriever.sentences[e.row].kind == ITEM]
    return len(items) > 1 and all(_marker(retriever, e.row) == "1." for e in items)


def _list_rows(retriever: Retriever, row: int) -> list[int]:
    """The first sentence row of each item of the list holding item sentence ``row``: items in
    consecutive blocks with the same kind of marker ("1." or "-")."""
    sentences = retriever.sentences

    def joined(a: int, b: int) -> bool:
        first, second = sentences[a], sentences[b]
        if first.source != second.source or not first.kind == second.kind == ITEM:
            return False
        return first.paragraph == second.paragraph or (
            second.paragraph == first.paragraph + 1 and _marker(retriever, a) == _marker(retriever, b))

    lo, hi = row, row
    while lo > 0 and joined(lo - 1, lo):
        lo -= 1
    while hi + 1 < len(sentences) and joined(hi, hi + 1):
        hi += 1
    return [r for r in range(lo, hi + 1) if r == lo or sentences[r].paragraph != sentences[r - 1].paragraph]


def ordinal_item(
    retriever: Retriever, candidates: Sequence[Evidence], ordinal: int, shown: str = ""
) -> Evidence | None:
    """The sentence opening item ``ordinal``: that item of the written list the last answer
    (``shown``) quoted, else a retrieved "Second, ...", else that item of a written list the best
    candidates hold or introduce ("- ..."), else a "Second, ..." of the best essay."""
    listed = markup_list(retriever, quoted_in(candidates, shown), 0) if shown else []
    if listed and ordinal <= len(listed):
        return listed[ordinal - 1] if ordinal > 0 else listed[-1]
    for ev in candidates:
        if starts_with_ordinal(ev.text, ordinal):
            return ev
    items = markup_list(retriever, candidates, 0)
    if items and ordinal <= len(items):
        return items[ordinal - 1] if ordinal > 0 else items[-1]
    return find_ordinal(retriever, candidates[0].passage.source, ordinal)


def find_ordinal(retriever: Retriever, source: str, ordinal: int) -> Evidence | None:
    """The first sentence of ``source`` that opens item ``ordinal``."""
    for row in retriever.sentence_rows(source):
        sentence = retriever.sentences[row]
        if starts_with_ordinal(sentence.text, ordinal):
            passage = retriever.passage_for_sentence(row)
            if passage is not None:
                return Evidence(passage, row, sentence.start, sentence.end, sentence.text, 0.0, 0.0)
    return None


def _diverse(candidates: Sequence[Evidence], size: int, floor: float) -> list[Evidence]:
    """Maximal-marginal-relevance pick: relevant sentences that do not repeat each other."""
    pool = [c for c in candidates if c.score >= floor]
    chosen: list[Evidence] = []
    while pool and len(chosen) < size:
        def value(ev: Evidence) -> float:
            overlap = max((_word_overlap(ev.text, c.text) for c in chosen), default=0.0)
            return ev.score - 0.5 * overlap

        pick = max(pool, key=value)
        chosen.append(pick)
        pool.remove(pick)
    return chosen


def _word_overlap(a: str, b: str) -> float:
    wa, wb = set(normalize(a).split()), set(normalize(b).split())
    return len(wa & wb) / max(1, min(len(wa), len(wb)))
