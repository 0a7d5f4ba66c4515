"""What shape of answer a question wants: a list, a comparison, a reason, an author, an item."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..retrieve.lexical import terms
from ..retrieve.ordinals import asked_ordinal
from .asked import asked_kind

NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
# "list the ...", "what three areas ...", "which are the main ...": a list by its wording alone. Words
# such as "steps" or "measures" anywhere no longer make one (E73: "When did UNESCO list Valparaiso?")
_LIST = re.compile(
    r"^\W*(?:list|enumerate)\b|\b(what|which)\s+(are\s+the\s+)?(two|three|four|five|six|several|main|key)\b"
)
_CROSS = re.compile(
    r"\bboth\s+(authors?|essays?|writers?|pieces?|articles?)\b|\bcompare\b|\bcomparison\b|"
    r"\beach\s+(author|essay|writer)\b|\bdiffer(?:s|ed|ing|ences?)?\b|\bin common\b|\bagree\b|\bthe two (essays|authors)\b"
)
# "what clubs ...", "which security threats ...": a plural noun within two words of what/which
_ASKED_NOUNS = re.compile(r"^\W*(?:what|which)\s+([a-z-]+)(?:\s+([a-z-]+))?")
# "what were the commission's three methods?", "what are Whitby's methods?": read past the possessive (E104)
_ARE_THE = re.compile(
    r"^\W*(?:what|which)\s+(?:are|were)\s+(?:(?:the|its|their|his|her)\s+(?:[a-z-]+(?:'s|’s|s')\s+)?|[a-z-]+(?:'s|’s|s')\s+)"
    r"([a-z-]+)(?:\s+([a-z-]+))?"
)
_PLURAL = re.compile(r"[a-z-]{2,}[^su\W]s$")
_VERBS = frozenset({"does", "do", "did", "is", "are", "was", "were", "has", "have", "can", "could", "should",
                    "would", "will", "of", "says", "thinks", "means", "happens", "makes", "needs", "comes"})
_REASON = re.compile(
    r"\bwhy\b|\bhow come\b|\bwhat(?:'s|s| is| was) the (reason|point|logic|rationale)\b"
)
# "what does Govella say about NATO?": whatever the essay says on the topic answers (SQuAD asks no such question)
_SAYS_ABOUT = re.compile(r"\bwhat (?:do|does|did)\b.{0,40}\b(?:say|think|write|argue|mean|conclude)s?\b.{0,10}\babout\b")
# "where does Cooper mention Hiroshima?", "which essay talks about the WTO?": where the essays take up a
# topic, which whatever they say on it answers (not a place, not a list of essays)
_LOCATE = re.compile(
    r"^\W*(?:where|in which (?:essays?|articles?|pieces?|parts?)|which (?:essays?|articles?|pieces?|authors?|writers?|parts?))"
    r"\b.{0,60}?\b(?:mention|discuss|talk|write|say|cover|address|describe|refer|deal|bring)\w*\b"
)
# "does Cooper mention Hiroshima?": whether the essays take it up; both this and _LOCATE are answered only by
# a quote that holds the topic's words (see Assistant.refuses)
_WHETHER = re.compile(
    r"^\W*(?:does|do|did)\b.{0,60}?\b(?:mention|discuss|talk about|write about|say anything about|cover|address|refer to|"
    r"bring up)\b"
)
_AUTHORSHIP = re.compile(
    r"\bwho (wrote|is the author|authored|penned|is the writer)\b|\bwhose (essay|piece|article)\b"
    r"|\bwho('s| is) (the )?(writer|author)\b"
)
# "tell me more", "go on", "more context", "what else?": more of the last answer, naming nothing new
_GO_ON = re.compile(r"\b(?:more|go on|read on|continue|keep going|carry on|elaborate|expand|further)\b", re.I)
_CONTEXT = re.compile(r"\b(?:context|paragraph|passage|surrounding|in full|whole quote|full quote)\b", re.I)
_ELSE = re.compile(r"\b(?:what|anything|something)\s+else\b", re.I)
_ASKS_NO_MORE = frozenset(terms(
    "tell more go read continue keep going carry elaborate expand further context paragraph passage surrounding "
    "whole full entire rest show quote give please detail details else anything something ok okay thanks great"
))


@dataclass(frozen=True)
class Intent:
    """Signals read off the question's wording."""

    list_size: int  # 0 for not a list question, else how many items to gather
    cross: bool  # asks about several essays or authors at once
    authorship: bool  # asks who wrote the text under discussion
    ordinal: int  # 1.. for "the second one", -1 for "the last", 0 for none
    reason: bool = False  # asks why, so the answer should give the essay's reason
    counted: bool = False  # the list question says how many ("what four things ...?")
    says_about: bool = False  # asks what an essay says about a topic, not for one fact
    more: str = ""  # "on" (what follows the last quote), "context" (its paragraph), "else" (other evidence)
    mentions: bool = False  # asks where or whether the essays take up a topic ("where does X mention Y?")
    asks: str = ""  # the kind of fact asked for: "money", "year", "count", "name", "number" (see asked.py)
    steps: bool = False  # asks for steps: a numbered list is then "these steps", else "these points"
    plural: str = ""  # what a list question asks for ("terms" in "what were the terms of ...?"), if it names it


def _asked_plural(q: str) -> str:
    """'threats' for 'which security threats ...?', 'jobs' for 'what jobs does he hold?',
    'parts' for 'what are the parts of ...?'; '' when the question does not open by asking for
    several things ('what does he say?')."""
    match = _ARE_THE.search(q) or _ASKED_NOUNS.search(q)
    for word in match.groups() if match else ():
        if word is None or word in _VERBS:
            return ""
        if _PLURAL.search(word):
            return word
    return ""


_STEPS = re.compile(r"\b(?:steps?|stages?|procedures?)\b")  # "what steps ...?", not "what causes ...?"


def read_intent(question: str) -> Intent:
    """The intent of ``question`` (the user's own words, before follow-up resolution)."""
    q = question.lower()
    count = next((n for w, n in NUMBER_WORDS.items() if re.search(rf"\b{w}\b", q)), 0)
    cross = bool(_CROSS.search(q))
    reason = bool(_REASON.search(q))
    # "why ... top of the to-do list?" wants a reason, and a comparison is answered per essay,
    # but "what reasons does she give for why ...?" opens by asking for several things
    asked = _asked_plural(q)
    whether = bool(_WHETHER.search(q))
    locate = whether or bool(_LOCATE.search(q))
    is_list = not locate and (
        bool(asked) or bool(_LIST.search(q)) and not (reason or cross)
    )
    ordinal = asked_ordinal(q)
    return Intent(
        list_size=(count or 4) if is_list and not ordinal else 0,
        cross=cross,
        authorship=bool(_AUTHORSHIP.search(q)),
        ordinal=ordinal,
        reason=reason,
        counted=bool(count) and is_list,
        says_about=locate or bool(_SAYS_ABOUT.search(q)),
        more="" if ordinal else asks_more(q),
        mentions=locate,
        asks=asked_kind(question),
        steps=bool(_STEPS.search(q)),
        plural=asked if is_list and not ordinal else "",
    )


def asks_more(question: str) -> str:
    """What more of the last answer a question asks for, naming nothing else: "context" for "more
    context" or "the whole paragraph", "else" for "what else?", "on" for "tell me more" or "go
    on"; '' for any other question ("tell me more about Russia" asks anew)."""
    if any(t not in _ASKS_NO_MORE for t in terms(question)):
        return ""
    if _CONTEXT.search(question):
        return "context"
    if _ELSE.search(question):
        return "else"
    return "on" if _GO_ON.search(question) else ""
