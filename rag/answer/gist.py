"""What an essay is about, for "summarize ...", "what is X's essay about?", "what is her main point?".

Extractive like every answer: an essay's central sentences are those nearest its centroid (the
mean of its sentence vectors, as in centroid summarisation, Radev et al. 2004), a little favoured
in its opening and its close, where essays state their case, and when they argue ("should",
"must": Edmundson's cue words, 1969), none saying what another already says. SQuAD, which the
reader learnt from, asks no such question, so the reader is not used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..ingest.structure import TEXT
from ..retrieve.authors import surname
from ..retrieve.lexical import terms
from ..retrieve.retriever import Retriever

GIST_SENTENCES = 3  # quoted for one essay
CLOSING_SENTENCES = 2  # quoted for what one essay concludes
OVERVIEW_ESSAYS = 10  # an overview of the folder quotes one sentence of each, for at most this many
EDGE_SHARE = (0.2, 0.15)  # the opening and closing shares of an essay's sentences that are favoured
EDGE_BONUS = 0.05  # how much (cosine); set before any figure, as were the shares
CUE_BONUS = 0.05  # for a sentence that argues ("should", "must", "it is time"): Edmundson's cue words; set before any figure
_CUE = re.compile(
    r"\b(?:should|must|ought|needs? to|have to|has to|it is time|it's time|the answer is|the real|i argue|my argument|"
    r"the point is)\b",
    re.I,
)
SAME = 0.8  # a sentence this close (cosine) to one already picked says the same thing
CLOSING_SHARE = 0.25  # of an essay's sentences, its close ("what does Doe conclude?"), at least its last three
MIN_WORDS = 8  # shorter sentences are lead-ins and asides, not a case stated

_STRONG = re.compile(
    r"\bsumm(?:ary|aries|ari[sz]e[sd]?|ari[sz]ing)\b|\bgist\b|\btl\W?dr\b|\boverview\b|\bthesis\b|\brecap\b|"
    r"\bsynopsis\b|\brun-?down\b|\bnutshell\b|\bsum(?:s|med)? (?:it |this |that |them )?up\b|\bboils? (?:it |this )?down\b|"
    r"\bin (?:a|one) (?:sentence|line)\b",
    re.I,
)
_MAIN = re.compile(
    r"\b(?:main|central|core|key|overall|big)\s+(?:argument|point|idea|claim|message|takeaway|thrust|lesson)s?\b"
    r"|\bwhat(?:'s| is| was)\s+(?:[\w-]+\s+){0,3}?[\w-]+'s (?:take|stance|position|view|verdict|case)\b"  # not "in X's view"
    r"|\bwhat (?:stance|position|view)\b|\bshort version\b|\bbottom line\b",
    re.I,
)
# "What's Smith arguing?", "What point is the author of the bike-lane piece making?": asked last, so not
# "What does Cooper argue about NATO?" (a topic: see intent._SAYS_ABOUT)
_ARGUES = re.compile(r"\b(?:argu(?:e|es|ing)|saying|getting at|driving at|making|trying to say)\W*$", re.I)
_CONCLUDES = re.compile(
    r"\bconclu(?:de|des|ded|sion|sions|ding)\b|\bend(?:s|ed)? (?:up )?(?:by )?saying\b|\bhow does\b.{0,60}\bend(?: up)?\W*$"
    r"|\bfinal (?:thoughts?|words?|points?)\b|\bin the end\b",
    re.I,
)
_ON_A_TOPIC = re.compile(r"\bconclu\w*\s+(?:about|on|regarding)\b", re.I)  # "what does her essay conclude about China?"
_OF_A_DOCUMENT = re.compile(
    r"\b(?:essays?|articles?|pieces?|posts?|papers?|reports?|op-?eds?|columns?|his|her|their|its|the author|the writer)\b",
    re.I,
)
_ABOUT = re.compile(  # "what's the essay on night trains about?", "what is it about?", "what is Doe's piece about?"
    r"\bwhat(?:'s|s| is| was| are)\b.{0,60}(?:\b(?:essays?|articles?|pieces?|posts?|papers?|reports?|op-?eds?|"
    r"columns?|work|writing)\b(?:\s+\S+){0,8}?|\b(?:it|this|that|they|these|them))\s+(?:all\s+|really\s+)?about"
    r"(?:\s+overall)?\W*$",
    re.I,
)
# words of a gist question that name no topic: what is left names the essay ("the piece on night trains")
_NOT_TOPIC = frozenset(terms(
    "summary summaries summarize summarise summarized summarizing gist tldr tl dr overview thesis main central core key "
    "overall big argument arguments point points idea ideas claim claims message messages takeaway takeaways thrust "
    "lesson lessons essay essays article articles piece pieces post posts paper papers report reports work writing "
    "text story blog document author writer give short brief quick please tell explain whole basically really all "
    "one two three four five sentence sentences words paragraph can could would you me us recap synopsis rundown "
    "nutshell version sum summed up boil boils down bottom line trying saying arguing making getting across simple "
    "simply plain terms english quickly briefly general generally mostly mainly broadly high level outline "
    "conclude concludes concluded conclusion conclusions concluding end ends ended saying take stance position view "
    "verdict case final thought thoughts word point making trying say getting driving line sentence"
))


def asks_gist(question: str, authors: Sequence[str] = ()) -> str:
    """What a question about an essay (or the folder) as a whole asks for: "gist" for "summarize
    ...", "what is the piece on night trains about?" and "what is Doe's main point?" (but not
    "what is the key idea behind carbon pricing?": a "main point" asks about an essay only when it
    names one, its author or "her", or names nothing else); "close" for "what does Doe
    conclude?"; '' for any other question. ``authors``: the authors the question names."""
    question = question.replace("’", "'")  # "What’s Smith arguing?"
    names_one = bool(_OF_A_DOCUMENT.search(question))
    if _CONCLUDES.search(question) and (names_one or not topic_terms(question, authors)) and not _ON_A_TOPIC.search(question):
        return "close"
    if _STRONG.search(question) or _ABOUT.search(question):
        return "gist"
    about_one = bool(authors) or names_one or not topic_terms(question, authors)
    argues = _ARGUES.search(question) and (names_one or not topic_terms(question, authors))
    return "gist" if _MAIN.search(question) and about_one or argues else ""


def topic_terms(question: str, authors: Sequence[str]) -> list[str]:
    """The words of a gist question that say which essay it means ("night trains"), less its
    gist words and the authors' names it holds."""
    names = set(terms(" ".join(authors)))
    return [t for t in terms(question) if t not in _NOT_TOPIC and t not in names]


def central_rows(retriever: Retriever, source: str, most: int = GIST_SENTENCES, closing: bool = False) -> list[int]:
    """The rows of essay ``source``'s ``most`` central sentences, in reading order (see module doc);
    with ``closing``, of its last CLOSING_SHARE only (what it concludes)."""
    doc = retriever.document(source)
    named = surname(doc.author) if doc.author else ""  # as written: author Sarah Young, not "young"
    rows = [r for r in retriever.sentence_rows(source) if _states_case(retriever.sentences[r].text,
                                                                      retriever.sentences[r].kind, named)]
    if not rows:
        return []
    vectors = np.asarray(retriever.data.sentence_vectors[rows], dtype=np.float32)
    centroid = vectors.mean(axis=0)
    scores = vectors @ (centroid / (np.linalg.norm(centroid) or 1.0))
    place = np.arange(len(rows))
    edges = (place < EDGE_SHARE[0] * len(rows)) | (place >= (1 - EDGE_SHARE[1]) * len(rows))
    scores = scores + EDGE_BONUS * edges
    scores = scores + CUE_BONUS * np.array([bool(_CUE.search(retriever.sentences[r].text)) for r in rows])
    if closing:  # the essay's close: the rest can never be picked
        scores[place < min(len(rows) - 3, int((1 - CLOSING_SHARE) * len(rows)))] = -np.inf
    picked: list[int] = []
    for i in np.argsort(-scores, kind="stable"):
        if not np.isfinite(scores[i]):
            break
        if all(float(vectors[i] @ vectors[j]) <= SAME for j in picked):
            picked.append(int(i))
        if len(picked) == most:
            break
    return sorted(rows[i] for i in picked)


def _states_case(text: str, kind: str, named: str) -> bool:
    """True for a sentence that can state an essay's case: prose of MIN_WORDS words or more, not a
    question, not about its author (a byline or the biography at its end)."""
    words = text.split()
    if kind != TEXT or len(words) < MIN_WORDS or text.rstrip(" \"'”’)").endswith("?"):
        return False
    return not (named and named in (w.strip(".,;:’'\"()").removesuffix("’s").removesuffix("'s") for w in words))
