"""Composing an answer: the chosen quotes as readable text with [n] markers, and their citations.

Each quote is said by its essay's author ("Kristi Govella writes: …"), by the essay's title when it
names no author, or by an interview's interviewee; a list's points are bulleted or numbered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ..retrieve.authors import surname
from ..retrieve.retriever import Retriever
from ..types import Citation, as_shown
from .evidence import Evidence, introduces
from .intent import Intent
from .more import paragraph_of


_SEVERAL = re.compile(r"\band\b|&|;|,\s*[^\W\d_]+\s+[^\W\d_]{2}")  # "Ana Ruiz and Li Wei", "Ana Ruiz, Li Wei"; not "Reyes, T."


def compose(
    chosen: Sequence[Evidence], intent: Intent, steps: bool = False, headers: Mapping[int, str] | None = None,
    speakers: Mapping[int, str] | None = None,
) -> tuple[str, tuple[Citation, ...]]:
    """Readable answer text with [n] markers, and its citations in marker order; a list's points are
    numbered when they are ``steps`` (the items of a numbered list), else bulleted; a table row is
    followed by its table's header when ``headers`` holds one for it (see ``row_headers``); a quote
    is said by its speaker when ``speakers`` names one (an interview's answer, see ``interviewees``)."""
    citations = tuple(cite(n, ev) for n, ev in enumerate(chosen, 1))
    heads, said_by = headers or {}, speakers or {}

    def who(ev: Evidence) -> str:
        return said_by.get(ev.row) or attribution(ev)

    def writes(ev: Evidence) -> str:
        return f"{said_by[ev.row]} says" if ev.row in said_by else _author_writes(ev)

    def adds(ev: Evidence) -> str:
        speaker = said_by.get(ev.row)
        if speaker:
            return f"{speaker} adds" if speaker == INTERVIEWEE else f"{surname(speaker)} adds"
        return _author_adds(ev)

    quoted = [
        f"{as_quote(ev.text)} [{n}]" + (f" (its columns: {as_quote(heads[ev.row])})" if ev.row in heads else "")
        for n, ev in enumerate(chosen, 1)
    ]
    authors = {who(ev) for ev in chosen}

    def points(qs: Sequence[str]) -> str:
        return "\n".join(f"{n}. {q}" if steps else f"- {q}" for n, q in enumerate(qs, 1))

    if len(chosen) > 2 and introduces(chosen[0].text) and len(authors) == 1:  # "The crew included:", then each
        return f"{writes(chosen[0])}: {quoted[0]}\n\n" + points(quoted[1:]), citations
    if intent.list_size and len(chosen) > 1:
        says = "give these steps" if steps and intent.steps else "make these points"  # asked how: steps, not points
        several = chosen[0].row not in said_by and _several(chosen[0])  # an interviewee is one speaker
        lead = f"{who(chosen[0])} {_verb(says, several)}:" if len(authors) == 1 else "The essays make these points:"
        return lead + "\n\n" + points(quoted), citations
    if intent.cross and len(authors) > 1:
        said: dict[str, list[str]] = {}
        for ev, q in zip(chosen, quoted, strict=True):
            said.setdefault(who(ev), []).append(q)
        return "\n\n".join(f"**{name}**: {' '.join(qs)}" for name, qs in said.items()), citations
    text = f"{writes(chosen[0])}: {quoted[0]}"
    for ev, q in zip(chosen[1:], quoted[1:], strict=True):
        text += f" {adds(ev) if who(ev) == who(chosen[0]) else writes(ev)}: {q}"
    return text, citations


# an interview's "Q:" / "A:" (or "**A:**") opening a paragraph
_SPEAKER = re.compile(r"[ \t]*(?:\*\*|__)?(Q|A)(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]+(?=\S)")
INTERVIEWEE = "The interviewee"  # who answers an interview whose title names no one ("... an interview with Dr. X")
_INTERVIEW_WITH = re.compile(r"\binterview(?:ed)?\s+with\s+(?:the\s+)?(.+?)[\s.!?]*$", re.I)
_HONORIFIC = re.compile(r"\b(?:Dr|Prof|Professor|Mr|Mrs|Ms|Sir|Dame)\b\.?\s")


def interviewees(retriever: Retriever, chosen: Sequence[Evidence]) -> dict[int, str]:
    """Who says each quote of ``chosen`` that stands in an interview's answer (a paragraph opened by
    "A:" in an essay whose title says "interview"), by row: the person the title names ("Listening
    to the Ice: An Interview with Dr. Sunniva Haukeland"), else INTERVIEWEE. The byline's author asked the questions, so "Tobias
    Mwangi-Reyes writes" would put the interviewee's words in the interviewer's mouth."""
    out: dict[int, str] = {}
    for ev in chosen:
        opening = retriever.sentences[paragraph_of(retriever, ev.row)[0]].start
        text = retriever.document(ev.passage.source).text
        label = _SPEAKER.match(text, text.rfind("\n", 0, opening) + 1)  # on the paragraph's first line
        if label and label.group(1) == "A" and "interview" in ev.passage.title.lower():  # not an FAQ's "A:"
            named = _INTERVIEW_WITH.search(ev.passage.title)
            name = named.group(1) if named else INTERVIEWEE
            honorific = _HONORIFIC.search(name)
            out[ev.row] = name[honorific.start():] if honorific else name
    return out


def cite(number: int, ev: Evidence) -> Citation:
    """Citation ``number`` for ``ev``: its passage, its quote and the quote's offsets."""
    return Citation(number, ev.passage, ev.text, ev.start, ev.end)


def _author_writes(ev: Evidence) -> str:
    """"Kristi Govella writes", "Ana Ruiz and Li Wei write", or for an essay that names no author
    "“The Chemistry Inside a Tortilla” says"."""
    return f"{ev.passage.author} {_verb('write', _several(ev))}" if ev.passage.author else f"“{ev.passage.title}” says"


def _several(ev: Evidence) -> bool:
    """True when the essay's byline names two or more authors."""
    return bool(ev.passage.author and _SEVERAL.search(ev.passage.author))


def _verb(plural: str, several: bool) -> str:
    """``plural`` ("write", "make these points") as one speaker takes it ("writes", "makes these
    points": one author, an essay's title, an interviewee), or as ``several`` authors do."""
    verb, _, rest = plural.partition(" ")
    return plural if several else " ".join(filter(None, (verb + "s", rest)))


def _author_adds(ev: Evidence) -> str:
    """"Ellison adds" after "Margaret Ellison writes", "They add" after two authors, "It adds" after an
    essay's title: a person is not "it"."""
    author = ev.passage.author
    if not author:
        return "It adds"
    if _SEVERAL.search(author):
        return "They add"
    return f"{surname(author)} adds"


def attribution(ev: Evidence) -> str:
    """Who a quote is by: its essay's author, else the essay's title in curly quotes."""
    return ev.passage.author or f"“{ev.passage.title}”"


def as_quote(sentence: str) -> str:
    """The sentence as shown (``as_shown``), in curly quotes unless it opens with a quotation mark."""
    shown = as_shown(sentence)
    return shown if shown[:1] in "“\"‘'" else f"“{shown}”"
