"""The Assistant: a question (and the conversation so far) in, a cited Answer out.

Extractive by design: the answer is made of whole sentences quoted from the essays, each
followed by its ``[n]`` marker, so every quote is verbatim and every marker resolves. When
the retrieved sentences do not answer the question the Answer is a refusal
(``refused=True``) that says so plainly, pointing at the closest passage when there is one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..errors import QueryError
from ..read.reader import Reader
from ..retrieve.authors import name_parts, named_authors, named_sources, surname
from ..retrieve.lexical import holds_terms, terms
from ..retrieve.query import clean_query
from ..retrieve.retriever import Retriever
from ..types import Answer, Citation
from .asked import NOUNS, gives, unheld_names
from .choose import select
from .compose import as_quote, attribution, cite, compose, interviewees
from .evidence import Evidence, as_evidence, dense_best, gather, quoted_in, read_best, reads_plainly, reads_why
from .followup import (
    all_answers, asked_names, check_history, for_reader, last_answer, needs_earlier, new_names, resolve, user_turns,
)
from .gist import CLOSING_SENTENCES, GIST_SENTENCES, OVERVIEW_ESSAYS, asks_gist, central_rows, topic_terms
from .intent import Intent, read_intent
from .lists import announced_anywhere, numbered, row_headers, with_announced
from .meta import meta_reply
from .more import following_rows, paragraph_rows, quoted_rows
from .quotes import (
    continuing, gives_reason, join_adjacent, unrepeated, whole_quotations, with_cause, with_context, with_next,
)

_LISTED = re.compile(r"^(?:-|\d+\.) “.*\n(?:-|\d+\.) “", re.M)  # an answer of two or more bulleted or numbered quotes
_EVERY = re.compile(r"\b(?:essays|articles|pieces|posts|papers|reports|documents|them|these|they|folder|collection)\b", re.I)
_MENTION_WORDS = frozenset(terms("part parts anything ever anywhere all bring brings up cover covers address addresses "
                                 "refer refers deal deals write writes wrote"))
_NAMED_ESSAY = re.compile(  # "the essay on tortillas" in "does the essay on tortillas mention Italy?"
    r"\b(?:the|this|that|his|her|their)\s+(?:essay|article|piece|post|paper|story|report|op-?ed)\s+(?:on|about)\s+"
    r".{1,40}?(?=\s+(?:mention|discuss|talk|say|cover|address|refer|bring|deal|write)\w*\b)",
    re.I,
)
_AUTHORSHIP_WORDS = frozenset(terms(  # and what a document is called: "who wrote the guide to ...?" names no other work
    "who wrote write written writes penned authored author writer essay piece article this that guide report "
    "biography profile review history story book paper post letter column handbook manual chapter document"))
_ENDINGS = ("ing", "ed", "es", "er", "ers")  # "fixing" asks about a guide that says "fix"


@dataclass(frozen=True)
class Topic:
    """What a where-or-whether question asks the essays to mention ("Where does Cooper mention Hiroshima?")."""

    words: tuple[str, ...]  # its search terms, less the authors' names
    names: frozenset[str]  # those of them asked capitalised: names, which have no other word


@dataclass(frozen=True)
class RefusalPolicy:
    """When the evidence is too weak to answer."""

    min_dense: float = 0.35  # a list, comparison or why-question whose best sentence cosine is below
    # this is refused: the essays are about something else (a plain question is the reader's to refuse)
    min_probability: float | None = None  # a plain question's best reader probability below this refuses;
    # None: the reader's answer threshold, calibrated in the product on held-out SQuAD articles
    # indexed as essays, for 5% false refusals (training/calibrate_answers.py)
    closest_hint: float = 0.45  # show the closest passage with a refusal above this similarity
    sure_probability: float | None = None  # a plain answer whose best reader probability is below this
    # is hedged (HEDGE); None: the reader's sure line, where nine in ten answers above it are right on
    # held-out SQuAD articles indexed as essays (training/calibrate_answers.py)


HEDGE = "The essays may not answer that exactly; this is the nearest they come."


class Assistant:
    """Answers questions from a Retriever's essays with verbatim, numbered citations."""

    def __init__(
        self, retriever: Retriever, k: int = 5, policy: RefusalPolicy | None = None, reader: Reader | None = None
    ) -> None:
        self.retriever = retriever
        self.k = k
        self.policy = policy or RefusalPolicy()
        self.reader = reader or Reader.load()
        self._prefixes: frozenset[str] | None = None  # of every term of the essays (see _unheld), built when first asked

    def ask(self, question: str, history: Sequence[Any] | None = None) -> Answer:
        """Answer ``question``; ``history`` holds earlier turns ({"role", "content"} dicts or strings).
        QueryError for an empty, overlong or wordless question, or a malformed history."""
        text = check_question(question)
        history = check_history(history)
        reply = meta_reply(text, self.retriever.heads)
        if reply:  # "hi", "thanks", "what can you do?", "what essays do you have?"
            return Answer(reply, (), refused=False, question=text, search_query="")
        intent = read_intent(text)
        if _leans_on_nothing(text, history):  # "and the second one?" first
            note = "There is no earlier answer for that to follow up; please ask the whole question."
            return Answer(note, (), refused=True, question=text, search_query=text)
        if intent.more in ("on", "context"):  # "tell me more", "the whole paragraph"
            return self._more(text, intent, last_answer(history))
        named = named_authors(text, self.retriever.heads)
        whole = asks_gist(text, [a for author in named for a in name_parts(author)])
        if whole:  # "summarize Cooper's essay", "what does Govella conclude?"
            return self._gist(text, named, history, closing=whole == "close")
        resolved = resolve(text, history)
        query = self.retriever.expand(resolved)
        if len(named) > 1:
            intent = replace(intent, cross=True)  # "do Govella and Cooper both ...?"
        k = max(self.k, 8) if intent.list_size or intent.cross else self.k
        passages = self.retriever.search(query, k=k)
        _, without_names = named_sources(query, self.retriever.heads)
        wordings = [without_names or query, query]
        asked = query
        if resolved != text:  # a follow-up: its own words lead, so "what replaced them?" is not read as "when ...?"
            asked = self.retriever.expand(for_reader(text, history))
            wordings[:0] = [self.retriever.expand(text), asked]
        candidates = gather(self.retriever, self.reader, wordings, passages, intent, asked)
        if intent.authorship and candidates and not self._names_other_work(text):
            referred = [*quoted_in(candidates, last_answer(history)), candidates[0]][0]  # what "that" is
            return self._authorship(text, query, referred)
        shown = last_answer(history) if resolved != text else ""
        moved_to = new_names(text, history) if shown else []
        naming = [c for c in candidates if moved_to and holds_terms(set(terms(c.text)), moved_to)]
        if naming:  # "what did that do to Carrow?": the sentences naming Carrow, new to the talk, lead (E102)
            candidates = _leading(naming, candidates)
        elif shown and reads_plainly(intent):  # "When did that happen?": the sentence after the last quote
            candidates = continuing(self.retriever, self.reader, asked, candidates, passages, shown)
        if intent.more == "else":  # "what else?": what the conversation has not quoted yet
            quoted = {c.row for c in quoted_in(candidates, all_answers(history))}
            candidates = [c for c in candidates if c.row not in quoted]
        topic = self._topic(text, named) if intent.mentions else None
        if topic is not None:  # "does Reyes mention Eliud Kipchoge?": the sentences that do, if any
            candidates = [c for c in candidates if self._holds(c.text, topic)] or candidates
        named_it = self._naming_topic(text, named, candidates) if intent.says_about and topic is None else []
        if named_it:  # "what does Renfrew say about damp?": the sentences naming it lead, however far in cosine
            candidates = _leading(named_it, candidates)
        unheld = self._unheld(query) if reads_plainly(intent) and resolved == text else []
        if unheld:  # "What is the capital of Australia?" of essays that never name Australia
            said = f"The essays don't answer that question. They never mention “{unheld[0]}”."
            return Answer(said, (), refused=True, question=text, search_query=query)
        chosen = select(self.retriever, candidates, intent, self._floor(), shown)
        if not named_it and self.refuses(intent, candidates, chosen, topic):
            if intent.more == "else":
                return Answer("The essays say nothing more on that.", (), refused=True, question=text, search_query=query)
            return self._refusal(text, query, candidates)
        said = all_answers(history) if intent.reason and shown else ""
        if _LISTED.search(said):  # "why?" in a talk that listed: a reason, not what it quoted (E98c)
            chosen = unrepeated(chosen, said, self.retriever)
            if {e.row for e in chosen} <= {e.row for e in quoted_in(chosen, said) if not gives_reason(e.text)}:
                chosen = select(self.retriever, unrepeated(candidates, said, self.retriever), intent, self._floor())
        if reads_plainly(intent):
            chosen = with_next(self.retriever, self.reader, asked, chosen)
        elif reads_why(intent):  # "why was it fined?": the cause beside the fine, said without "because"
            chosen = with_cause(self.retriever, self.reader, asked, chosen)
        if not intent.ordinal:  # "The crew included:" is answered with the crew
            chosen = with_announced(self.retriever, chosen, per_essay=intent.cross, any_quote=announced_anywhere(intent))
        quotes = whole_quotations(self.retriever, with_context(self.retriever, chosen))
        if not intent.list_size:  # a list keeps one bullet per point
            quotes = join_adjacent(self.retriever, quotes)
        if reads_plainly(intent) and not gives(intent.asks, text, " ".join(q.text for q in quotes)):
            return self._refusal(text, query, candidates, NOUNS[intent.asks])  # "How much did the ferry cost?", no price
        body, citations = compose(
            quotes, intent, numbered(self.retriever, quotes), row_headers(self.retriever, quotes),
            interviewees(self.retriever, quotes),
        )
        confidence = read_best(candidates) if reads_plainly(intent) else None
        hedged = confidence is not None and confidence < self._sure()
        if hedged:  # about half of such answers are right, and most near misses answered are among them
            body = f"{HEDGE} {body}"
        return Answer(body, citations, refused=False, question=text, search_query=query, confidence=confidence,
                      hedged=hedged)  # fmt: skip

    def refuses(
        self, intent: Intent, candidates: Sequence[Evidence], chosen: Sequence[Evidence], topic: Topic | None = None
    ) -> bool:
        """True when nothing retrieved answers the question: no sentence of a plain question reaches
        the reader's answer threshold, or (for the other kinds) the essays are about something else.
        The reader alone decides a plain question: "Where does Marguerite Halloway run her
        workshop?" is far in cosine from her "I run a reading workshop in Shrewsbury", which it
        reads as the answer. "Where does Govella talk about Brazil?" asks for ``topic`` by name,
        so a quote without it does not answer (see _holds)."""
        if not chosen or topic is not None and not self._holds(" ".join(c.text for c in chosen), topic):
            return True
        if reads_plainly(intent):
            return read_best(candidates) < self._floor()
        return dense_best(candidates) < self.policy.min_dense

    def _topic(self, question: str, named: frozenset[str]) -> Topic:
        """What a where-or-whether question asks the essays to mention, or "what does X say about Y?"
        asks about: its words less its authors' names, and less a word the essays never use that
        Retriever.expand spells out: an acronym ("CPTPP") or a misspelling ("hiroshma")."""
        authors = set(terms(" ".join(p for author in named for p in name_parts(author))))  # "Reyes" -> "reye"
        spelled = self.retriever.expand(question) != question  # also a misspelt word the essays hold, corrected
        asked = _NAMED_ESSAY.sub(" ", question)  # "does the essay on tortillas mention Italy?": Italy, not tortillas
        words = tuple(t for t in terms(asked) if t not in authors and t not in _MENTION_WORDS
                      and not (spelled and t not in self.retriever.vocabulary))  # fmt: skip
        return Topic(words, frozenset(asked_names(question)))

    def _holds(self, text: str, topic: Topic) -> bool:
        """True when ``text`` holds every topic word, or for a word the essays never use, one of
        their words for it (Retriever.related_terms: "trade" in an essay that says "commerce"), or
        for a topic of several words, their word for the whole phrase; but a name has no other
        word, so "Brazil" is not "China"."""
        held = set(terms(text))
        if all(holds_terms(held, [t]) or t not in topic.names and any(
                holds_terms(held, [r]) for r in self.retriever.related_terms(t)) for t in topic.words):  # fmt: skip
            return True
        if len(topic.words) < 2 or topic.names & set(topic.words):
            return False
        # a phrase's own word for it ("weed killers": "herbicides"), not one of its words ("public money": "public")
        other = [r for r in self.retriever.related_terms(" ".join(topic.words), True) if r not in topic.words]
        return any(holds_terms(held, [r]) for r in other)

    def _naming_topic(self, question: str, named: frozenset[str], candidates: Sequence[Evidence]) -> list[Evidence]:
        """The candidates that name the topic of "what does X say about Y?" (as _holds reads it), which
        answer it however far they are in cosine: "The most common cause of failure in a cold frame
        is not cold but damp." for "What does Renfrew say about damp?" was refused below the dense line."""
        about = self._topic(question, named)
        return [c for c in candidates if about.words and self._holds(c.text, about)]

    def _unheld(self, question: str) -> list[str]:
        """The names the question capitalises that no essay, title, author or section holds in any
        form: a search term, or one sharing its first five letters, accents aside ("Calveran" is
        "Calvera"'s)."""
        if self._prefixes is None:
            self._prefixes = frozenset(_unaccented(t)[:5] for t in self.retriever.headed_vocabulary)
        prefixes = self._prefixes
        return unheld_names(question, lambda term: _unaccented(term)[:5] in prefixes)

    def _floor(self) -> float:
        """The reader probability below which a plain question is refused (the policy's, else the reader's own)."""
        p = self.policy.min_probability
        return self.reader.answer_threshold if p is None else p

    def _sure(self) -> float:
        """The reader probability below which a plain answer is hedged (the policy's, else the reader's own)."""
        p = self.policy.sure_probability
        return self.reader.sure_threshold if p is None else p

    def _names_other_work(self, question: str) -> bool:
        """True for "who wrote Pride and Prejudice?": the question names something with a word
        neither the essays nor their titles use, in any form ("fixing" is the guide's "fix"), so it
        asks about another work, not who wrote these essays."""
        named = [t for t in terms(question) if t not in _AUTHORSHIP_WORDS]
        return any(not _known(t, self.retriever.headed_vocabulary) for t in named)

    def _refusal(self, question: str, query: str, candidates: Sequence[Evidence], missing: str = "") -> Answer:
        """A plain refusal, saying what is ``missing`` ("price") when a kind of fact was asked for; the
        closest passage is shown when it is near the question."""
        text = "The essays don't answer that question." + (f" The passages closest to it give no {missing}." if missing else "")
        citations: tuple[Citation, ...] = ()
        if candidates and dense_best(candidates) >= self.policy.closest_hint:
            closest = candidates[0]
            citations = (cite(1, closest),)
            text += f" The closest passage, from {attribution(closest)}, says: {as_quote(closest.text)} [1]"
        return Answer(text, citations, refused=True, question=question, search_query=query)

    def _more(self, question: str, intent: Intent, shown: str) -> Answer:
        """"Tell me more": what follows the last answer's last quote in its essay; "more context":
        the paragraph around its first quote."""
        rows = quoted_rows(self.retriever, shown, last=intent.more == "on")
        if not rows:
            note = "The last answer quotes nothing to go on from; please ask the whole question."
            return Answer(note, (), refused=True, question=question, search_query=question)
        picked = paragraph_rows(self.retriever, rows) if intent.more == "context" else following_rows(self.retriever, rows[-1])
        if not picked:
            title = self.retriever.document(self.retriever.sentences[rows[-1]].source).title
            note = f"That is where “{title}” ends: there is nothing more to quote."
            return Answer(note, (), refused=True, question=question, search_query=question)
        quotes = join_adjacent(self.retriever, as_evidence(self.retriever, picked))
        body, citations = compose(
            quotes, intent, numbered(self.retriever, quotes), row_headers(self.retriever, quotes),
            interviewees(self.retriever, quotes),
        )
        return Answer(body, citations, refused=False, question=question, search_query=question)

    def _gist(self, question: str, named: frozenset[str], history: Sequence[Any], closing: bool = False) -> Answer:
        """What an essay is about, in its central sentences (gist.py), or with ``closing`` what it
        concludes; every essay's one sentence when the question names none. A topic no essay's
        words hold is refused."""
        sources = self._gist_sources(question, named, history)
        most = 1 if len(sources) > 1 else CLOSING_SENTENCES if closing else GIST_SENTENCES
        quotes = [ev for s in sources[:OVERVIEW_ESSAYS]
                  for ev in as_evidence(self.retriever, central_rows(self.retriever, s, most, closing))]  # fmt: skip
        if not quotes:
            note = "None of the essays is about that." if sources == [] else "The essays don't answer that question."
            return Answer(note, (), refused=True, question=question, search_query=question)
        citations = tuple(cite(n, ev) for n, ev in enumerate(quotes, 1))
        if len(sources) == 1:
            doc = self.retriever.document(sources[0])
            lead = f"“{doc.title}”" + (f" by {doc.author}" if doc.author else "") + (
                " concludes:" if closing else ", in its own words:")
            lines = [f"- {as_quote(ev.text)} [{n}]" for n, ev in enumerate(quotes, 1)]
        else:
            lead = "What each essay concludes:" if closing else "What each essay argues, in its own words:"
            lines = [f"- {ev.passage.author + ', ' if ev.passage.author else ''}“{ev.passage.title}”: {as_quote(ev.text)} [{n}]"
                     for n, ev in enumerate(quotes, 1)]  # fmt: skip
            if len(sources) > OVERVIEW_ESSAYS:
                lines.append(f"\n…and {len(sources) - OVERVIEW_ESSAYS} more essays; name one to hear what it says.")
        return Answer(lead + "\n\n" + "\n".join(lines), citations, refused=False, question=question, search_query=question)

    def _gist_sources(self, question: str, named: frozenset[str], history: Sequence[Any]) -> list[str]:
        """The essays a gist question means: those of the author it names; the one its topic words
        name ("the piece on night trains"), or none when no essay holds them all; the one the last
        answer quoted (or the last question found); else every essay ("what are these about?")."""
        if named:
            return [d.source for d in self.retriever.heads if d.author in named]
        topic = topic_terms(question, list(named))
        if topic:  # the essay the search finds first, if its title or text holds every topic word
            found = [self.retriever.document(p.source) for p in self.retriever.search(question, k=1)]
            return [d.source for d in found if holds_terms(set(terms(f"{d.title} {d.text}")), topic)]
        every = [d.source for d in self.retriever.heads]
        if _EVERY.search(question) or not user_turns(history):
            return every
        earlier = quoted_rows(self.retriever, last_answer(history))
        if earlier:
            return [self.retriever.sentences[earlier[0]].source]
        return [p.source for p in self.retriever.search(user_turns(history)[-1], k=1)] or every  # questions alone

    def _authorship(self, question: str, query: str, top: Evidence) -> Answer:
        """'Who wrote that?': the author of the essay the conversation is about, with their bio line."""
        doc = self.retriever.document(top.passage.source)
        if not doc.author:
            text = f"The essay “{doc.title}” does not name its author; the passage is {as_quote(top.text)} [1]"
            return Answer(text, (cite(1, top),), refused=False, question=question, search_query=query)
        named = re.compile(rf"\b{re.escape(surname(doc.author))}\b", re.IGNORECASE)
        sentences = self.retriever.sentences
        mentions = [r for r in self.retriever.sentence_rows(doc.source) if named.search(sentences[r].text)]
        full_name = [r for r in mentions if doc.author.lower() in sentences[r].text.lower()]
        row = (full_name or mentions)[0] if mentions else None
        text = f"That is from “{doc.title}” by {doc.author}."
        citation = cite(1, top)
        about = f"who is {doc.author}?"  # the question this follow-up really asks
        if row is not None:
            bio = sentences[row]
            passage = self.retriever.passage_for_sentence(row, top.passage.score)
            if passage is not None:
                citation = Citation(1, passage, bio.text, bio.start, bio.end)
        text += f" {as_quote(citation.quote)} [1]"
        return Answer(text, (citation,), refused=False, question=question, search_query=about)


def _leans_on_nothing(question: str, history: Sequence[Any]) -> bool:
    """True for "and the second one?", "why?" or "tell me more" with no earlier question to lean on:
    none asked, or only others like it (each told that there was nothing to follow up)."""

    def leans(asked: str) -> bool:
        return needs_earlier(asked) or bool(read_intent(asked).more)

    return leans(question) and all(leans(turn) for turn in user_turns(history))


def check_question(question: object) -> str:
    """The tidied question, or a QueryError a user can act on."""
    if isinstance(question, str):
        visible = [ch for ch in question if not ch.isspace()]
        odd = sum(1 for ch in visible if not (ch.isalnum() or ch in ".,;:!?'\"’“”()-–—%$&/"))
        if visible and odd / len(visible) > 0.3:
            raise QueryError("that does not look like a question in words: please type your question")
    return clean_query(question)


def _leading(first: Sequence[Evidence], candidates: Sequence[Evidence]) -> list[Evidence]:
    """``candidates`` with ``first`` (some of them) moved to the front, the rest in their order."""
    return [*first, *(c for c in candidates if c not in first)]


def _known(term: str, known: frozenset[str]) -> bool:
    """True when ``known`` holds ``term`` or, less an ending, its stem ("fixing": "fix", "baking": "bake")."""
    stems = [term[: -len(e)] for e in _ENDINGS if term.endswith(e) and len(term) - len(e) >= 3]
    return term in known or any(s in known or s + "e" in known for s in stems)


def _unaccented(word: str) -> str:
    """``word`` without its accents: "beyoncé" and "beyonce" are one name."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
