"""Turn a follow-up ("and the second one?", "why?") into a question that can be searched.

History is Gradio/OpenAI-style ``{"role", "content"}`` dicts or plain strings (user turns).
A question that leans on earlier turns is joined to the last self-contained user question
(the anchor), so "and the third?" after "what are the three areas?" becomes
"what are the three areas? and the third?".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from ..errors import QueryError
from ..retrieve.lexical import terms
from ..retrieve.ordinals import ITEM_WORDS, ORDINALS, asked_ordinal
from ..retrieve.query import MAX_QUERY_CHARS

_LEADS = re.compile(r"^\s*(and|but|also|so|then|what about|how about|how so|what else|tell me more)\b", re.I)
_WHY = re.compile(r"^\W*why\b", re.I)  # "why?", "why not?": a why-question with words of its own stands alone
_ANAPHORA = re.compile(
    r"\b(it|its|that|this|these|those|they|them|their|he|him|his|she|her|hers|one|ones|"
    r"there|then|next|afterwards|the idea|the same|other)\b",
    re.I,
)  # an ordinal leans only as an item ("the second one", "the third?"; see asked_ordinal), not in "the last keeper"


ROLES = ("user", "assistant", "system")  # a system turn is accepted and not read


def check_history(history: object) -> list[Any]:
    """``history`` as a list, or a QueryError saying which turn is malformed: a turn is a string
    (a user's question), a ``{"role", "content"}`` dict, or a legacy (user, assistant) pair."""
    if history is None:
        return []
    if isinstance(history, (str, bytes, dict)) or not isinstance(history, Sequence):
        raise QueryError(f"history must be a list of turns, got {type(history).__name__}")
    for number, item in enumerate(history, 1):
        if isinstance(item, str) or isinstance(item, (list, tuple)) and len(item) == 2:
            continue
        if isinstance(item, dict) and item.get("role") in ROLES and isinstance(item.get("content"), (str, list, dict)):
            continue
        raise QueryError(
            f"history turn {number} is not a message: use {{\"role\": \"user\" or \"assistant\", \"content\": \"...\"}}"
            f" or a string, got {str(item)[:80]!r}"
        )
    return list(history)


def user_turns(history: Sequence[Any] | None) -> list[str]:
    """The text of the user turns in ``history``, oldest first."""
    turns = []
    for item in history or ():
        if isinstance(item, str):
            turns.append(item)
        elif isinstance(item, dict) and item.get("role", "user") == "user":
            turns.append(_text(item.get("content")))
        elif isinstance(item, (list, tuple)) and item:  # legacy (user, assistant) pairs
            turns.append(_text(item[0]))
    return [t for t in turns if t.strip() and len(t) <= MAX_QUERY_CHARS]  # a longer turn was refused, not asked


def last_answer(history: Sequence[Any] | None) -> str:
    """The text of the last assistant turn in ``history`` ('' when it holds none)."""
    for item in reversed(history or ()):
        if isinstance(item, dict) and item.get("role") == "assistant":
            return _text(item.get("content"))
        if isinstance(item, (list, tuple)) and len(item) > 1:  # legacy (user, assistant) pairs
            return _text(item[1])
    return ""


def all_answers(history: Sequence[Any] | None) -> str:
    """The text of every assistant turn in ``history``, oldest first: what the conversation has quoted."""
    texts = []
    for item in history or ():
        if isinstance(item, dict) and item.get("role") == "assistant":
            texts.append(_text(item.get("content")))
        elif isinstance(item, (list, tuple)) and len(item) > 1:
            texts.append(_text(item[1]))
    return "\n".join(texts)


def is_follow_up(question: str) -> bool:
    """True when the question cannot stand alone: very short, opening as a reply ("and ...",
    "what about ..."), asking for an item ("the second one?"), a bare "why?", or short and
    leaning on 'it' or 'she'. "Why did farm windmills decline?" stands alone."""
    content = terms(question)
    if len(content) <= 1 or _LEADS.search(question) or asked_ordinal(question):
        return True
    if _WHY.match(question) and len(content) <= 1:  # "why did it fail?" leans; "why did windmills spread?" does not
        return True
    return bool(_ANAPHORA.search(question)) and len(content) <= 4


_ITEM_WORDS = frozenset(terms(" ".join([*ORDINALS, *ITEM_WORDS])))  # "the second one", "the last point"


def needs_earlier(question: str) -> bool:
    """True for a question that means nothing without an earlier answer: "and the second one?",
    "the last point?", "why?", "why is that?"."""
    words = terms(question)
    return bool(asked_ordinal(question)) and set(words) <= _ITEM_WORDS or bool(_WHY.match(question)) and not words


def names_new_subject(question: str, turns: Sequence[str]) -> bool:
    """True when ``question`` names something (a capitalised word past its first) that no earlier
    turn mentions, with at least three words besides 'her', 'first' and the like: it asks anew
    ("When did Beyonce release her first album?" after a question about Notre Dame)."""
    content = [t for t in terms(question) if not _ANAPHORA.fullmatch(t)]
    return bool(_unmet_names(question, " ".join(turns))) and len(content) >= 3


def new_names(question: str, history: Sequence[Any] | None) -> list[str]:
    """The search terms of the names ``question`` capitalises that no earlier question or answer
    holds: what a follow-up moves on to ("what did that do to Carrow?" after the Olden's straightening)."""
    return _unmet_names(question, " ".join([*user_turns(history), all_answers(history)]))


def _unmet_names(question: str, earlier: str) -> list[str]:
    """Terms of the words ``question`` capitalises past its first that ``earlier`` does not hold."""
    held = set(terms(earlier))
    return [t for t in asked_names(question) if t not in held]


def asked_names(question: str) -> list[str]:
    """The terms of the words a question capitalises past its first: names, as asked."""
    return terms(" ".join(w for w in question.split()[1:] if w[:1].isupper()))


def resolve(question: str, history: Sequence[Any] | None) -> str:
    """The question to search with: itself, or joined to its anchor question."""
    turns = user_turns(history)
    if not turns or not is_follow_up(question) or names_new_subject(question, turns):
        return question
    anchor = next((t for t in reversed(turns) if not is_follow_up(t)), turns[0])
    return f"{anchor.strip()} {question.strip()}"


def for_reader(question: str, history: Sequence[Any] | None) -> str:
    """The follow-up as the reader should read it: its own words first, then the content words
    of its anchor ("and what replaced them? first tidal mill built"), so the reader answers
    what the user asks now ("what"), not the anchor's question word ("when")."""
    resolved = resolve(question, history)
    if resolved == question:
        return question
    anchor = resolved[: len(resolved) - len(question.strip())]
    return f"{question.strip()} {' '.join(terms(anchor))}"


def _text(content: Any) -> str:
    """Text of a message's content, which Gradio may give as a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text") or "")
    if isinstance(content, (list, tuple)):
        return " ".join(_text(part) for part in content)
    return ""
