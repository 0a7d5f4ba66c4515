"""Score the sentences of the retrieved passages against the question and pick the answer.

Every candidate is a whole sentence of a document, so what is quoted is verbatim by
construction. Selection depends on the intent: one or two sentences for a plain question,
the claim and the sentence giving its reason for a why-question, one item per enumerated
point for a list (or the one sentence that names them all), the best sentences of each
essay for a comparison, the asked-for item for "the second one". A quote that leans on the
sentence before it ("Connecting these spokes ...") is given that sentence too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..ingest.sentences import is_heading, normalize
from ..ingest.structure import ITEM, ROW, SEPARATOR, TEXT, extracted, table_header
from ..retrieve.lexical import terms
from ..retrieve.retriever import Retriever
from ..types import Passage, Sentence
from ..retrieve.ordinals import enumerates, lists_inline, starts_with_ordinal
from ..read.reader import Reader, candidate_text
from .intent import NUMBER_WORDS, Intent
from .more import paragraph_of


@dataclass(frozen=True)
class Evidence:
    """A candidate sentence: which passage it came from, where it is, how well it answers."""

    passage: Passage
    row: int  # index into retriever.sentences
    start: int
    end: int
    text: str
    score: float  # what ranks it (see gather): the reader's probability, or the rule score
    dense: float  # cosine similarity alone, used to judge whether anything answers at all
    probability: float = 0.0  # the reader's P(answers): read candidates of plain questions and lists, else 0


def gather(
    retriever: Retriever, reader: Reader, queries: Sequence[str], passages: Sequence[Passage], intent: Intent,
    asked: str = "",
) -> list[Evidence]:
    """Candidate sentences of ``passages``, best first, repeated sentences kept once.

    Each sentence gets the rule score (dense + lexical match, plus a share of its passage's
    score), the best over every wording in ``queries`` (the question without and with an
    author's name); words are matched on the first wording only, so a name does not pull in
    every sentence that mentions the author. For a plain question, a why-question or a list, the
    reader reads ``asked`` (default: the last wording) with each of the READ_TOP sentences the
    rule score ranks highest, and gives each its probability of answering. Plain questions
    are ranked by that probability, lowered by their passage's place in ``passages``
    (``Reader.ranking``); lists, comparisons, items and reasons by the rule score,
    which the structure of those answers is built on (see ``reads_plainly``), except that a
    why-question's first candidate, its premise, is the reader's pick (``reads_why``). A short
    heading or a bare marker is never a candidate.
    """
    owner = candidate_rows(retriever, passages)
    rows = list(owner)
    if not rows:
        return []
    wordings = list(dict.fromkeys(queries))
    vectors = np.stack([retriever.embed_query(q) for q in wordings])
    dense = (retriever.data.sentence_vectors[rows] @ vectors.T).max(axis=1)
    rules = retriever.sentence_scores(queries[0], vectors, rows, retriever.focus_vector(queries[0]))
    ranks = np.array([float(rule) + 0.3 * owner[row].score for row, rule in zip(rows, rules, strict=True)])
    probability = np.zeros(len(rows), np.float32)
    plain, why = reads_plainly(intent), reads_why(intent)
    if plain or why or intent.list_size:  # a list's lead is the reader's pick (see select)
        top = np.argsort(-ranks, kind="stable")[:READ_TOP]
        probability[top] = reader.probabilities(asked or wordings[-1], [reading_text(retriever, rows[i]) for i in top])
        if plain or why:
            place = {id(p): n for n, p in enumerate(passages)}
            read = reader.ranking(probability, np.array([place[id(owner[r])] for r in rows]))
            if plain:
                ranks = read
            else:  # the premise is the reader's pick, scored as the best; the rest keep the rule score
                ranks[int(np.argmax(read))] = ranks.max() + 1e-6
    found: dict[str, Evidence] = {}
    for row, score, p, sim in zip(rows, ranks, probability, dense, strict=True):
        sentence, passage = retriever.sentences[row], owner[row]
        ev = Evidence(passage, row, sentence.start, sentence.end, sentence.text, float(score), float(sim), float(p))
        key = normalize(ev.text)
        if key not in found or found[key].score < ev.score:
            found[key] = ev
    return sorted(found.values(), key=lambda e: (-e.score, e.passage.source, e.start))


# The sentences the reader reads per question, the rule score's best first: about 30 ms each on
# one core here. On the SQuAD corpus of bench/reader.py, reading the best 10 instead gives 0.779
# first quotes against 0.771, at twice the time; the best 8, 0.833 against 0.828; the best 10 (E68),
# no right answer more on two unseen essay sets (docs/READER.md).
READ_TOP = 5


def reading_text(retriever: Retriever, row: int, after: Sequence[int] = ()) -> str:
    """Sentence ``row`` as the reader reads it: as matched (a table row with its header), then its
    document's title and section path, as the reader was trained (a SQuAD sentence and its article's title).
    With ``after`` (the sentence after it), the start of that is read too, as an answer quoting
    both would read."""
    sentence = retriever.sentences[row]
    title = SEPARATOR.join(t for t in (retriever.document(sentence.source).title, sentence.section) if t)
    text = retriever.reading(row)
    if after:
        words = " ".join(retriever.sentences[r].text for r in after).split()
        text += " " + " ".join(words[:AFTER_WORDS])
    return candidate_text(text, title)


AFTER_WORDS = 40  # of what follows a sentence, what the reader reads with it (its window is 96 tokens)


def candidate_rows(retriever: Retriever, passages: Sequence[Passage]) -> dict[int, Passage]:
    """The quotable sentence rows of ``passages``, each with the first (best) passage holding it."""
    owner: dict[int, Passage] = {}
    for passage in passages:
        for row in retriever.passage_sentences(passage):
            owner.setdefault(row, passage)
    return {r: p for r, p in owner.items() if quotable(retriever.sentences[r])}


def reads_plainly(intent: Intent) -> bool:
    """True for a question the reader was trained for: one fact, asked plainly (SQuAD's kind).

    Lists, comparisons, "the second one" and why-questions are answered by the structure of
    the essay (its enumerations, its reasons), which SQuAD does not teach (a why-question's
    premise excepted: ``reads_why``).
    """
    return not (intent.reason or _shaped(intent))


def reads_why(intent: Intent) -> bool:
    """True for a why-question alone (no list, comparison, item or topic), whose premise is the
    reader's pick: the rule score led "Why were horses not used ...?" with the road's description,
    the reader with "Horses, for their part, did poorly at altitude ..."; the reason after it is
    still found by the rule score (``select``), which SQuAD does not teach."""
    return intent.reason and not _shaped(intent)


def _shaped(intent: Intent) -> bool:
    """True when the answer takes the essay's structure: a list, a comparison, an item or a topic."""
    return bool(intent.list_size or intent.cross or intent.ordinal or intent.says_about)


def quotable(sentence: Sentence) -> bool:
    """False for what is never an answer alone: a short unpunctuated line of prose (a heading the
    structure did not mark; in a PDF, HTML or Word file the extractor marks them all), a bare
    label. List items and table rows need no full stop."""
    words = terms(sentence.text)
    if sentence.kind != TEXT:
        return bool(words)
    heading = is_heading(sentence.text) and not introduces(sentence.text)  # "... four things:" opens a list
    return len(words) >= 2 and not (heading and len(sentence.text.split()) < 8 and not extracted(sentence.source))


def select(
    retriever: Retriever, candidates: Sequence[Evidence], intent: Intent, floor: float = 1.0, shown: str = ""
) -> list[Evidence]:
    """The sentences the answer quotes, in the order they should be read.

    A list gathered from prose (not a written list, no number asked) leads with the reader's
    best sentence when its probability reaches ``floor`` (the reader's refusal line): "what
    animals are more sensitive to ...?" asks with a plural, but on held-out SQuAD articles one
    sentence answers most such questions.
    """
    if not candidates:
        return []
    best = candidates[0]
    if intent.ordinal:  # "and the second one?": that item of the essay's enumeration
        item = ordinal_item(retriever, candidates, intent.ordinal, shown)
        return [item, *_next_in_paragraph(retriever, item)] if item is not None else [best]
    if intent.list_size:
        written = markup_list(retriever, candidates, intent.list_size if intent.counted else 0, intent.plural)
        items = _in_reading_order(written or _list_items(retriever, candidates, intent.list_size))
        lead = max(candidates, key=lambda e: e.probability)
        in_order = any(i.row == lead.row for i in items) and sum(enumerates(i.text) for i in items) >= 2
        if written or intent.counted or in_order or lead.probability < floor:  # an enumeration is read in order
            return items
        return [lead, *(i for i in items if i.row != lead.row)]
    if intent.cross:  # the best two sentences of each essay that answers at all
        chosen: list[Evidence] = []
        for ev in candidates:
            same = [c for c in chosen if c.passage.source == ev.passage.source]
            if ev.score >= 0.6 * best.score and len(same) < 2 and (not same or ev.score >= 0.85 * same[0].score):
                chosen.append(ev)
        return sorted(chosen, key=lambda e: (e.passage.source != best.passage.source, e.passage.source, e.start))
    chosen = [best]
    # "why ...?": the premise, then the essay's reason; unless the premise announces its causes
    # ("... declined for two main causes."), which then follow it (with_announced)
    if intent.reason and not gives_reason(best.text) and not announced(retriever, best):
        if not _paragraph_reasons(retriever, best):
            return [best]  # E91: with_cause quotes the neighbour the reader reads with it
        reasons = [c for c in candidates[1:] if gives_reason(c.text, loosely=True) and c.passage.source == best.passage.source]
        near = [c for c in reasons if same_paragraph(retriever, best, c)]
        because = (near or reasons)[:1]
        if because and because[0].score >= 0.5 * best.score:
            return _in_reading_order([best, because[0]])
    for ev in candidates[1:3]:
        if ev.score >= SECOND_WITHIN * best.score and len(chosen) < 2:
            chosen.append(ev)
    return chosen


SECOND_WITHIN = 0.92  # a second sentence is quoted when it scores this close to the first (bench/RESULTS.md)


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
            and _one_paragraph(retriever, ev.row - 1, ev.row)
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
            if not 0 <= r < len(retriever.sentences) or not _one_paragraph(retriever, r, ev.row):
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


_INTRODUCES = re.compile(r"(?::|\b(?:the following|as follows)\W*)$", re.I)
_COUNTED = re.compile(r"\b(two|three|four|five|six)\s+(?:[\w-]+\s+){0,2}?[\w-]+s\b", re.I)
_FOLLOWS_WITHIN = 600  # characters from one announced point to the next ("First, ..." then "Second, ...")


def introduces(sentence: str) -> bool:
    """True for a sentence that hands over to what follows it: "The crew included:", "The main
    suspects were the following."""
    return bool(_INTRODUCES.search(sentence.rstrip()))


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


def as_evidence(
    retriever: Retriever, rows: Sequence[int], like: Evidence | None = None,
    retrieved: Mapping[int, Passage] | None = None,
) -> list[Evidence]:
    """Sentence ``rows`` as evidence ranked as ``like``, each in the passage that retrieved it
    (``retrieved``, by row) or else the indexed passage that holds it; without ``like``, read from
    the essay rather than ranked (what follows a quote, an essay's central sentences: no score)."""
    found = []
    for r in rows:
        passage = (retrieved or {}).get(r) or retriever.passage_for_sentence(r, like.passage.score if like else 0.0)
        if passage is not None:
            s = retriever.sentences[r]
            found.append(Evidence(passage, r, s.start, s.end, s.text, like.score if like else 1.0,
                                  like.dense if like else 1.0))
    return found


def _next_in_paragraph(retriever: Retriever, ev: Evidence) -> list[Evidence]:
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
        if after.end > ev.passage.end or not _one_paragraph(retriever, last.row, row):
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
             if q.row + 1 in by_row and _one_paragraph(retriever, q.row, q.row + 1)]  # fmt: skip
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
    if len(chosen) != 1 or gives_reason(chosen[0].text) or _paragraph_reasons(retriever, chosen[0]):
        return list(chosen)
    best, sentences = chosen[0], retriever.sentences
    near = [
        r for r in (best.row - 1, best.row + 1)
        if 0 <= r < len(sentences) and _one_paragraph(retriever, best.row, r) and quotable(sentences[r])
        and best.passage.start <= sentences[r].start and sentences[r].end <= best.passage.end
    ]
    if not near:
        return list(chosen)
    read = [reading_text(retriever, min(best.row, r), [max(best.row, r)]) for r in near]
    row = near[int(np.argmax(reader.probabilities(question, read)))]
    other = as_evidence(retriever, [row], best, {row: best.passage})
    return _in_reading_order([best, *other])


def _paragraph_reasons(retriever: Retriever, ev: Evidence) -> bool:
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
            and _one_paragraph(retriever, last.row, ev.row)
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


def quoted_in(candidates: Sequence[Evidence], shown: str) -> list[Evidence]:
    """Those of ``candidates`` that ``shown`` (the last answer's text) quotes, best first."""
    seen = normalize(shown)
    return [e for e in candidates if seen and normalize(e.text) in seen]


def unrepeated(chosen: Sequence[Evidence], shown: str, retriever: Retriever) -> list[Evidence]:
    """``chosen`` without the sentences that ``shown`` (the conversation's answers) already quoted
    and that give no reason, nor a sentence announcing points that ``shown`` quoted every one of
    ("The plan had four parts:" after its four parts, E99): "why?" asks for a reason, not for the
    answer again. All of ``chosen`` when nothing else would be left."""
    repeated = {e.row for e in quoted_in(chosen, shown)}
    repeated |= {e.row for e in chosen if (points := announced(retriever, e)) and len(quoted_in(points, shown)) == len(points)}
    fresh = [e for e in chosen if gives_reason(e.text) or e.row not in repeated]
    return fresh or list(chosen)


def same_paragraph(retriever: Retriever, a: Evidence, b: Evidence) -> bool:
    """True when two candidate sentences are in one paragraph."""
    return _one_paragraph(retriever, a.row, b.row)


def _one_paragraph(retriever: Retriever, a: int, b: int) -> bool:
    """True when sentence rows ``a`` and ``b`` are in one paragraph (one block of one document)."""
    first, second = retriever.sentences[a], retriever.sentences[b]
    return first.source == second.source and first.paragraph == second.paragraph


def _list_items(retriever: Retriever, candidates: Sequence[Evidence], size: int) -> list[Evidence]:
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


def _in_reading_order(items: Sequence[Evidence]) -> list[Evidence]:
    return sorted(items, key=lambda e: (e.passage.source, e.start))


def _word_overlap(a: str, b: str) -> float:
    wa, wb = set(normalize(a).split()), set(normalize(b).split())
    return len(wa & wb) / max(1, min(len(wa), len(wb)))


def dense_best(candidates: Sequence[Evidence]) -> float:
    """The highest cosine similarity of any candidate sentence (0 when there is none)."""
    return float(np.max([c.dense for c in candidates])) if candidates else 0.0


def read_best(candidates: Sequence[Evidence]) -> float:
    """The highest reader probability of any candidate (0 when none was read): what refuses a
    plain question and what hedges its answer, as training/calibrate_answers.py calibrates both."""
    return max((c.probability for c in candidates), default=0.0)
