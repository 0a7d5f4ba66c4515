"""Load and validate a YAML question set (format: QUESTIONSET.md, summarised in docs/EVAL.md).

A question set is a list of cases. Every problem in a file is collected and reported at once,
each naming the case (its id, or its position when it has none) and the field, so a user can
fix the whole file in one go. An unknown key is a problem too (a mistyped ``source:`` would
otherwise turn an answerable case into one scored on refusal); ``kind`` and ``split`` are kept
as labels for the report's breakdowns.

Sources and gold quotes are checked against the documents of the index being evaluated
(``{source: text}``, see :func:`documents_of`), so a set can be validated without the
seeds folder.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import RagError

# The fields a case may carry; any other key is reported.
FIELDS = ("id", "question", "kind", "split", "history", "sources", "gold_quotes", "answer_keywords")


class QuestionSetError(RagError):
    """A question-set file is missing, not YAML, or breaks the format (names case and field)."""


@dataclass(frozen=True)
class Case:
    """One question of a set, validated.

    A case with no ``sources`` is *out of scope*: the right behaviour is a refusal.
    """

    id: str
    question: str
    kind: str | None = None
    split: str | None = None
    history: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    gold_quotes: tuple[str, ...] = ()
    answer_keywords: tuple[str, ...] = ()

    @property
    def out_of_scope(self) -> bool:
        """True when the essays do not answer this question (``sources: []``)."""
        return not self.sources


def documents_of(retriever: Any) -> dict[str, str]:
    """``{source: text}`` for every document a retriever searches."""
    return {source: doc.text for source, doc in retriever.documents.items()}


def load_question_set(path: str | Path, documents: Mapping[str, str] | None = None) -> tuple[Case, ...]:
    """Read and validate the YAML file at ``path``; QuestionSetError on any problem.

    ``documents`` maps each known source name to its text; when omitted, sources and gold
    quotes are not checked against the corpus (only their types).
    """
    return parse_question_set(read_question_file(path), documents, origin=str(path))


def read_question_file(path: str | Path) -> object:
    """The parsed YAML of a question-set file (not yet validated); QuestionSetError if unreadable."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QuestionSetError(f"cannot read question set {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise QuestionSetError(f"{path} is not UTF-8 text: {exc}") from exc
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise QuestionSetError(f"{path} is not valid YAML: {exc}") from exc


def parse_question_set(
    data: object, documents: Mapping[str, str] | None = None, origin: str = "question set"
) -> tuple[Case, ...]:
    """Validate already-parsed YAML (a list of mappings) into cases; QuestionSetError if malformed."""
    if not isinstance(data, list):
        got = "an empty file" if data is None else f"a {type(data).__name__}"
        raise QuestionSetError(f"{origin}: the top level must be a list of cases, got {got}")
    if not data:
        raise QuestionSetError(f"{origin}: the question set has no cases")
    problems: list[str] = []
    cases: list[Case] = []
    seen: dict[str, int] = {}
    for position, item in enumerate(data, start=1):
        case_problems: list[str] = []
        case = _parse_case(item, position, documents, case_problems)
        case_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(case_id, str) and case_id.strip():
            if case_id in seen:
                case_problems.append(
                    f"{_label(case_id, position)} field 'id': duplicate id, first used by case #{seen[case_id]}"
                )
            else:
                seen[case_id] = position
        problems.extend(case_problems)
        if case is not None and not case_problems:
            cases.append(case)
    if problems:
        shown = "\n  - ".join(problems)
        raise QuestionSetError(f"{origin}: {len(problems)} problem(s):\n  - {shown}")
    return tuple(cases)


def _label(case_id: object, position: int) -> str:
    if isinstance(case_id, str) and case_id.strip():
        return f"case {case_id!r} (#{position})"
    return f"case #{position}"


def _parse_case(
    item: object, position: int, documents: Mapping[str, str] | None, problems: list[str]
) -> Case | None:
    """One case, appending a message per problem; None when it cannot be built at all."""
    if not isinstance(item, dict):
        problems.append(f"case #{position}: must be a mapping of fields, got {type(item).__name__}")
        return None
    label = _label(item.get("id"), position)

    def bad(name: str, message: str) -> None:
        problems.append(f"{label} field '{name}': {message}")

    for key in item:
        if key not in FIELDS:
            close = difflib.get_close_matches(str(key), FIELDS, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"a case's keys are {', '.join(FIELDS)}"
            bad(str(key), f"unknown key; {hint}")
    case_id = _text(item, "id", bad, required=True)
    question = _text(item, "question", bad, required=True)
    kind = _text(item, "kind", bad)
    split = _text(item, "split", bad)
    history = _text_list(item, "history", bad)
    sources = _text_list(item, "sources", bad)
    quotes = _text_list(item, "gold_quotes", bad)
    keywords = _text_list(item, "answer_keywords", bad)

    if documents is not None:
        for source in sources:
            if source not in documents:
                known = ", ".join(sorted(documents)) or "none"
                bad("sources", f"unknown document {source!r} (the index holds: {known})")
    if not sources and quotes:
        bad("gold_quotes", "gold quotes need `sources` to name the documents they come from")
    if not sources and keywords:
        bad("answer_keywords", "a case with `sources: []` is scored on refusal; give its sources or drop the keywords")
    if documents is not None and sources and all(s in documents for s in sources):
        for quote in quotes:
            if not any(quote in documents[s] for s in sources):
                bad("gold_quotes", _quote_problem(quote, [documents[s] for s in sources], sources))

    if case_id is None or question is None:
        return None
    return Case(
        id=case_id,
        question=question,
        kind=kind,
        split=split,
        history=tuple(history),
        sources=tuple(sources),
        gold_quotes=tuple(quotes),
        answer_keywords=tuple(keywords),
    )


def _text(item: dict[str, Any], name: str, bad: Any, required: bool = False) -> str | None:
    """A non-empty string field, or None when absent (an error when required)."""
    value = item.get(name)
    if value is None:
        if required:
            bad(name, "required, missing")
        return None
    if not isinstance(value, str):
        bad(name, f"must be a string, got {type(value).__name__} {value!r} (quote it in YAML)")
        return None
    if not value.strip():
        bad(name, "must not be empty")
        return None
    return value


def _text_list(item: dict[str, Any], name: str, bad: Any) -> list[str]:
    """A list of non-empty strings (absent or null: empty)."""
    value = item.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        bad(name, f"must be a list of strings, got {type(value).__name__} {_short(repr(value))}")
        return []
    good: list[str] = []
    for n, entry in enumerate(value, start=1):
        if not isinstance(entry, str):
            bad(name, f"entry {n} must be a string, got {type(entry).__name__} {_short(repr(entry))}")
        elif not entry.strip():
            bad(name, f"entry {n} is empty")
        else:
            good.append(entry)
    return good


def _quote_problem(quote: str, texts: list[str], sources: list[str]) -> str:
    """Why a gold quote was rejected, with a hint when only whitespace or case differ."""
    collapsed = " ".join(quote.split())
    hint = ""
    if any(collapsed in " ".join(t.split()) for t in texts):
        hint = " (it matches only after collapsing whitespace: copy it exactly)"
    elif any(collapsed.lower() in " ".join(t.split()).lower() for t in texts):
        hint = " (it matches only ignoring case: copy it exactly)"
    return f"not a verbatim substring of {', '.join(sources)}{hint}: {_short(repr(quote))}"


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
