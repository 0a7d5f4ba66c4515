"""What a chosen quote needs around it to read alone and answer: the sentence before it, the rest of a
quotation, the next sentence, a why-question's cause; and quotes joined where they follow each other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..read.reader import Reader
from ..retrieve.ordinals import enumerates
from ..retrieve.retriever import Retriever
from ..types import Passage
from .evidence import Evidence, as_evidence, in_reading_order, one_paragraph, quotable, quoted_in, reading_text
from .lists import announced
from .more import paragraph_of


_LEANS_BACK = re.compile(
    r"^\W*(?:\w+\s+){0,2}?(?:this|these|those|such|doing so|that is|they|it is|as a result|he|she|his|her)\b"
    r"|^\W*(?:in|on|at|after|before|by|during|within|from|until|then|later|that|the next)\b[^,;]{0,40}?,?\s+"
    r"(?:he|she|they)\s",  # "At 4:41 a.m. she sent ...", "In 1911, he ..."
    re.I,
)


def with_context(retriever: Retriever, chosen: Sequence[Evidence]) -> list[Evidence]:
    """Each quote that leans on the sentence before it ("Connecting these spokes ...") gets
    that sentence too, when both sit in one paragraph of the cited passage, so it reads alone."""
    out: list[Evidence] = []
    starts = {e.start for e in chosen}
    for ev in chosen:
        prev = retriever.sentences[ev.row - 1] if ev.row > 0 else None
        doc = retriever.document(ev.passage.source)
        if (
            prev is not None
            and _LEANS_BACK.match(ev.text)
            and prev.start >= ev.passage.start
            and prev.start not in starts
            and one_paragraph(retriever, ev.row - 1, ev.row)
        ):
            ev = replace(ev, start=prev.start, text=doc.text[prev.start : ev.end])
        out.append(ev)
    return out


def whole_quotations(retriever: Retriever, quotes: Sequence[Evidence]) -> list[Evidence]:
    """Each quote that stops inside a quotation it opened goes on to where it closes, and one that
    starts inside a quotation goes back to where it opened: sentences end at full stops even in
    quotation marks ("… reads simply: "Light handed over." of "Light handed over. Wind south-west,
    moderate. All well.""). Within its paragraph and passage, at most three sentences and 400
    characters further; else the quote stays as it was (E103). A quote the grown one holds is dropped."""
    out: list[Evidence] = []
    for ev in quotes:
        doc = retriever.document(ev.passage.source).text
        first = ev.row if retriever.sentences[ev.row].start == ev.start else ev.row - 1  # with_context's
        side = _left_open(ev.text)
        rows = range(ev.row + 1, ev.row + 4) if side > 0 else range(first - 1, first - 4, -1) if side < 0 else range(0)
        for r in rows:
            if not 0 <= r < len(retriever.sentences) or not one_paragraph(retriever, r, ev.row):
                break
            sentence = retriever.sentences[r]
            start, end = (ev.start, max(sentence.end, ev.end)) if side > 0 else (min(sentence.start, ev.start), ev.end)
            if start < ev.passage.start or end > ev.passage.end or end - start > len(ev.text) + 400:
                break
            if _left_open(doc[start:end]) == 0:
                ev = replace(ev, start=start, end=end, text=doc[start:end])
                break
        if not any(o.start <= ev.start and ev.end <= o.end for o in out):
            out.append(ev)
    return out


def _left_open(text: str) -> int:
    """1 when ``text`` opens a quotation it does not close, -1 when it closes one it never opened, else 0."""
    curly = text.count("“") - text.count("”")
    if curly:
        return 1 if curly > 0 else -1
    marks = [m.start() for m in re.finditer('"', text)]
    if len(marks) % 2 == 0:
        return 0
    last, head = marks[-1], marks[0]
    if last == 0 or not text[last - 1].isalnum() and text[last - 1] not in ".,!?;":  # ' "Light' opens
        return 1
    if head + 1 == len(text) or text[head + 1].isspace():  # 'well." ' closes
        return -1
    return 0


def next_in_paragraph(retriever: Retriever, ev: Evidence) -> list[Evidence]:
    """The sentence after ``ev`` when it is in the same paragraph and passage: an item's
    opener ("First up should be economic cooperation ...") says what, the next says why; not
    when the next opens the next item ("Third, ...")."""
    return [e for e in _rest_of_paragraph(retriever, ev, 1) if not enumerates(e.text)]


def _rest_of_paragraph(retriever: Retriever, ev: Evidence, most: int) -> list[Evidence]:
    """Up to ``most`` sentences after ``ev`` in its paragraph, within its passage."""
    out: list[Evidence] = []
    last = ev
    for row in range(ev.row + 1, min(ev.row + 1 + most, len(retriever.sentences))):
        after = retriever.sentences[row]
        if after.end > ev.passage.end or not one_paragraph(retriever, last.row, row):
            break
        last = Evidence(ev.passage, row, after.start, after.end, after.text, ev.score, ev.dense)
        out.append(last)
    return out


def continuing(
    retriever: Retriever, reader: Reader, question: str, candidates: Sequence[Evidence], passages: Sequence[Passage],
    shown: str,
) -> list[Evidence]:
    """``candidates``, with each sentence that follows the first quote of ``shown`` (the last answer)
    in its paragraph read after that quote too, and ranked again: "When did that happen?" after "The
    first town to be connected ... was Bexley Ford." is answered by the sentence after it, "Its first
    customers went online on 14 March 2023.", which read alone does not say whose customers. Only
    the first quote, the answer: a follow-up is about it, not about what "It adds"."""
    by_row = {c.row: c for c in candidates}
    first = shown.split("[1]", 1)[0]
    pairs = [(q.row, by_row[q.row + 1]) for q in quoted_in(candidates, first)
             if q.row + 1 in by_row and one_paragraph(retriever, q.row, q.row + 1)]  # fmt: skip
    if not pairs:
        return list(candidates)
    read = reader.probabilities(question, [reading_text(retriever, before, [after.row]) for before, after in pairs])
    place = {id(p): n for n, p in enumerate(passages)}
    better: dict[int, Evidence] = {}
    for (_, after), p in zip(pairs, read, strict=True):
        if p > after.probability:
            score = reader.ranking(np.array([p]), np.array([place.get(id(after.passage), 0)]))[0]
            better[after.row] = replace(after, probability=float(p), score=float(score))
    return sorted((better.get(c.row, c) for c in candidates), key=lambda e: (-e.score, e.passage.source, e.start))


def with_next(retriever: Retriever, reader: Reader, question: str, chosen: Sequence[Evidence]) -> list[Evidence]:
    """``chosen``, with the sentence after its first quote (in its paragraph and passage) quoted
    too when the reader finds the two likelier to answer than the quote alone: the answer may
    go on in the next sentence ("For ten years the clerk compared ..." then "By his count the clock
    was never more than eighteen minutes wrong ...")."""
    best = chosen[0] if chosen else None
    after = _rest_of_paragraph(retriever, best, 1) if best is not None and best.probability > 0 else []
    if best is None or not after or any(e.row == after[0].row for e in chosen):
        return list(chosen)
    pair = float(reader.probabilities(question, [reading_text(retriever, best.row, [after[0].row])])[0])
    return [best, after[0], *chosen[1:]] if pair >= best.probability + NEXT_MARGIN else list(chosen)


def with_cause(retriever: Retriever, reader: Reader, question: str, chosen: Sequence[Evidence]) -> list[Evidence]:
    """A why-question's premise (its one quote) whose paragraph gives no reason, quoted with the
    neighbour in that paragraph (before or after, within its passage) that the reader reads as
    likelier to answer with it (E91): "took the company to court after the river ran purple" comes
    before "The court at Exeter fined the company", and says no "because"."""
    if len(chosen) != 1 or gives_reason(chosen[0].text) or paragraph_reasons(retriever, chosen[0]):
        return list(chosen)
    best, sentences = chosen[0], retriever.sentences
    near = [
        r for r in (best.row - 1, best.row + 1)
        if 0 <= r < len(sentences) and one_paragraph(retriever, best.row, r) and quotable(sentences[r])
        and best.passage.start <= sentences[r].start and sentences[r].end <= best.passage.end
    ]
    if not near:
        return list(chosen)
    read = [reading_text(retriever, min(best.row, r), [max(best.row, r)]) for r in near]
    row = near[int(np.argmax(reader.probabilities(question, read)))]
    other = as_evidence(retriever, [row], best, {row: best.passage})
    return in_reading_order([best, *other])


def paragraph_reasons(retriever: Retriever, ev: Evidence) -> bool:
    """True when a sentence of ``ev``'s paragraph other than it gives a reason (even loosely)."""
    rows = paragraph_of(retriever, ev.row)
    return any(r != ev.row and gives_reason(retriever.sentences[r].text, loosely=True) for r in rows)


NEXT_MARGIN = 0.1  # how much likelier the two must read than the quote alone (set before any figure)


def join_adjacent(retriever: Retriever, chosen: Sequence[Evidence]) -> list[Evidence]:
    """Quotes that follow each other in one paragraph of one passage become a single quote,
    so the answer cites that passage once ("claim. reason." [1] rather than [1] and [2])."""
    out: list[Evidence] = []
    for ev in chosen:
        last = out[-1] if out else None
        if (
            last is not None
            and last.passage.chunk_id == ev.passage.chunk_id
            and 0 <= ev.start - last.end <= 3
            and one_paragraph(retriever, last.row, ev.row)
        ):
            text = retriever.document(ev.passage.source).text[last.start : ev.end]
            out[-1] = replace(last, end=ev.end, text=text, score=max(last.score, ev.score))
        else:
            out.append(ev)
    return out


_BECAUSE = re.compile(
    r"\b(because|since|therefore|thus|hence|due to|explains?|in order to|so that|as a result)\b|, so\b", re.I
)
_REASON_NOUN = re.compile(r"\b(reasons?|factors?|step toward|means that)\b", re.I)


def gives_reason(sentence: str, loosely: bool = False) -> bool:
    """True when a sentence states a cause ("..., so each has an interest"); ``loosely`` also
    counts one that names one ("one factor that is different ...")."""
    return bool(_BECAUSE.search(sentence) or loosely and _REASON_NOUN.search(sentence))


def unrepeated(chosen: Sequence[Evidence], shown: str, retriever: Retriever) -> list[Evidence]:
    """``chosen`` without the sentences that ``shown`` (the conversation's answers) already quoted
    and that give no reason, nor a sentence announcing points that ``shown`` quoted every one of
    ("The plan had four parts:" after its four parts, E99): "why?" asks for a reason, not for the
    answer again. All of ``chosen`` when nothing else would be left."""
    repeated = {e.row for e in quoted_in(chosen, shown)}
    repeated |= {e.row for e in chosen if (points := announced(retriever, e)) and len(quoted_in(points, shown)) == len(points)}
    fresh = [e for e in chosen if gives_reason(e.text) or e.row not in repeated]
    return fresh or list(chosen)
