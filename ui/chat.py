"""What the web chat does with a question: answer it, stream it, record votes, serve the API.

The functions here take plain values and return plain values; ``ui/app.py`` wires them to
Gradio components. One ``Answerer`` (one loaded model) serves every user.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rag.answer.assistant import Assistant
from rag.answer.followup import check_history
from rag.answer.render import answer_to_dict
from rag.errors import RagError
from rag.index.store import MANIFEST, read_index, read_manifest_data_name
from rag.retrieve.retriever import Retriever
from rag.types import Answer, Document

from .feedback import FeedbackLog, vote_name
from .render import (
    history_for_assistant,
    message_html,
    message_text,
    plain_text,
    safe_markdown,
    sources_footer,
    sources_html,
)

log = logging.getLogger("rag")

MAX_K = 10
KEPT_ANSWERS = 50  # answers remembered per browser session, for the feedback log
STREAM_WORDS = 4  # words added per streamed update
STREAM_PAUSE = 0.015  # seconds between updates: fast, but visibly typed
ECHO_CHARS = 2000  # a rejected question is echoed back (and kept) only this long
SORRY = "Sorry, something went wrong while answering. Please try again or rephrase the question."


class Answerer:
    """One retriever shared by all users; an Assistant per number of passages, made on demand.

    With ``index_dir``, an index rebuilt there while the chat runs (`rag index` in another
    terminal) is read at the next question, so the chat answers from the new essays."""

    def __init__(self, retriever: Retriever, default_k: int = 5, index_dir: str | Path | None = None) -> None:
        self.retriever = retriever
        self.default_k = clamp_k(default_k)
        self.index_dir = Path(index_dir) if index_dir is not None else None
        self._manifest_seen: tuple[int, int, int] | None = None  # its inode, time and size when last read
        self._assistants: dict[int, Assistant] = {}
        self._lock = threading.Lock()

    def assistant(self, k: int | float | None) -> Assistant:
        k = clamp_k(k if k is not None else self.default_k)
        with self._lock:
            self._reload_if_rebuilt()
            if k not in self._assistants:
                self._assistants[k] = Assistant(self.retriever, k=k)
            return self._assistants[k]

    def ask(self, question: str, history: list[Any] | None, k: int | float | None = None) -> Answer:
        """The Answer; QueryError (a RagError) for a question that cannot be answered as typed."""
        started = time.perf_counter()
        answer = self.assistant(k).ask(question, history_for_assistant(history or []) or None)
        log.info(
            "chat: %s in %.0f ms with %d citations",
            "refused" if answer.refused else "answered",
            (time.perf_counter() - started) * 1000,
            len(answer.citations),
        )
        return answer

    def document(self, source: str) -> Document:
        return self.retriever.document(source)

    def _reload_if_rebuilt(self) -> None:
        """Read the index again when its manifest names another data folder (it was rebuilt). The
        manifest is parsed only when its file changed: at 5,000 essays it lists every file's hash."""
        if self.index_dir is None:
            return
        try:
            stat = (self.index_dir / MANIFEST).stat()
        except OSError:
            return
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if seen == self._manifest_seen:
            return
        name = read_manifest_data_name(self.index_dir)
        if name is None or name == self.retriever.data.manifest.get("data"):
            self._manifest_seen = seen
            return
        try:
            retriever = Retriever(read_index(self.index_dir), self.retriever.settings, self.retriever.weights)
        except RagError as exc:  # caught mid-swap, or damaged: keep answering from what is open, try again next time
            log.warning("the index in %s changed but cannot be read yet (%s)", self.index_dir, exc)
            return
        log.info("the index in %s was rebuilt: answering from it (%d essays)", self.index_dir, len(retriever.documents))
        self.retriever, self._assistants, self._manifest_seen = retriever, {}, seen


def clamp_k(k: int | float) -> int:
    return max(1, min(MAX_K, int(k)))


def stream_reply(
    answerer: Answerer, message: str, history: list[Any], k: float, answers: list[dict[str, Any]] | None
) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    """ChatInterface callback: yields (answer Markdown so far, sources panel HTML, answers kept)."""
    answers = list(answers or [])[-KEPT_ANSWERS + 1 :]
    text = message_text(message)
    history = [_as_typed(m) for m in history or []]
    try:
        answer = answerer.ask(text, history, k)
    except RagError as exc:  # empty, too long, garbage: say so in the chat
        note = f"⚠️ {_sentence(str(exc))}"
        shown = _sentence(str(exc))
        answers.append({"question": text[:ECHO_CHARS], "answer": note, "refused": None, "citations": [], "sources": shown})
        yield safe_markdown(note), message_html(shown), answers
        return
    except Exception:  # never a traceback in the chat
        log.exception("chat: answering failed")
        yield SORRY, message_html(SORRY), answers
        return
    markdown = safe_markdown(answer.text, [c.shown for c in answer.citations]) + sources_footer(answer.citations)
    panel = sources_html(answer, answerer.document)
    record = answer_to_dict(answer)
    answers.append(
        {"question": answer.question, "answer": markdown, "refused": answer.refused, "citations": record["citations"],
         "sources": answer}  # fmt: skip
    )
    for partial in _progressive(markdown):
        yield partial, panel, answers
        time.sleep(STREAM_PAUSE)
    yield markdown, panel, answers


def _progressive(markdown: str) -> Iterator[str]:
    """Growing prefixes of the text, a few words at a time (never splitting a word or entity)."""
    words = markdown.split(" ")
    for end in range(STREAM_WORDS, len(words), STREAM_WORDS):
        yield " ".join(words[:end])


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else text


def ask_api(answerer: Answerer, question: str, history_json: Any = "", k: int | None = None) -> dict[str, Any]:
    """The ``/ask`` endpoint: the answer and its citations as data (``error`` set on bad input).
    ``history_json`` is a JSON string of the turns; the list itself is taken too."""
    try:
        if isinstance(history_json, list) or history_json is None:
            history = history_json or []
        elif not isinstance(history_json, str):
            raise ValueError(f"got {type(history_json).__name__}")
        else:
            history = json.loads(history_json) if history_json.strip() else []
        if not isinstance(history, list):
            raise ValueError("history_json must be a JSON list")
    except ValueError as exc:
        return _error_dict(question, f"history_json is not a JSON list of messages: {exc}")
    try:
        check_history(history)
    except RagError as exc:
        return _error_dict(question, f"history_json: {_sentence(str(exc))}")
    if k is not None and (isinstance(k, bool) or not isinstance(k, (int, float)) or k != int(k) or not 1 <= k <= MAX_K):
        return _error_dict(question, f"k is the number of passages to search, a whole number from 1 to {MAX_K}; got {k!r}")
    try:
        answer = answerer.ask(question, history, k)
    except RagError as exc:
        return _error_dict(question, _sentence(str(exc)))
    except Exception:
        log.exception("api: answering failed")
        return _error_dict(question, SORRY)
    return {**answer_to_dict(answer), "error": None}


def _error_dict(question: Any, message: str) -> dict[str, Any]:
    return {
        "text": message,
        "refused": False,
        "hedged": False,
        "confidence": None,
        "question": question[:ECHO_CHARS] if isinstance(question, str) else "",
        "search_query": "",
        "citations": [],
        "error": message,
    }


def record_vote(
    feedback: FeedbackLog, history: list[Any], answers: list[dict[str, Any]] | None, index: Any, liked: Any
) -> dict[str, Any] | None:
    """Write the vote on chat message ``index`` to the feedback log; returns the record."""
    found = _kept_answer(history, answers, index)
    if found is None:
        return None
    question, shown, record = found
    citations = record["citations"] if record else []
    refused = record["refused"] if record else None
    return feedback.append(question, plain_text(shown), citations, vote_name(liked), refused)


def sources_for(answerer: Answerer, history: list[Any], answers: list[dict[str, Any]] | None, index: Any) -> str | None:
    """The sources panel of the answer at chat message ``index`` (a click on an earlier answer
    shows its sources again); None for a question, or an answer this session no longer keeps."""
    found = _kept_answer(history, answers, index)
    if found is None or found[2] is None:
        return None
    sources = found[2].get("sources")
    if isinstance(sources, Answer):
        return sources_html(sources, answerer.document)
    return message_html(sources) if isinstance(sources, str) else None


def _kept_answer(
    history: list[Any], answers: list[dict[str, Any]] | None, index: Any
) -> tuple[str, str, dict[str, Any] | None] | None:
    """(question, shown Markdown, kept record or None) for the answer at chat message ``index``;
    None when that message is not an answer. The record is the latest with that text, preferring
    one for the same question (one refusal text answers many questions)."""
    position = index[0] if isinstance(index, (list, tuple)) else index
    if not isinstance(position, int) or not 0 <= position < len(history):
        return None
    message = history[position]
    if isinstance(message, dict) and message.get("role") == "user":
        return None
    shown = message_text(_content(message))
    question = next(
        (
            plain_text(message_text(_content(m)))
            for m in reversed(history[:position])
            if isinstance(m, dict) and m.get("role") == "user"
        ),
        "",
    )
    same_text = [a for a in reversed(answers or []) if a["answer"] == shown]
    record = next((a for a in same_text if a["question"] == question), same_text[0] if same_text else None)
    return question, shown, record


def _as_typed(message: Any) -> Any:
    """A chat message with the user's question as typed (the bubble holds it escaped, see
    ui/app.py: LiteralChatInterface)."""
    if not isinstance(message, dict) or message.get("role") != "user":
        return message
    content = message.get("content")
    if isinstance(content, str):
        return {**message, "content": plain_text(content)}
    if isinstance(content, list):  # Gradio's content parts: [{"type": "text", "text": ...}]
        parts = [{**p, "text": plain_text(p["text"])} if isinstance(p, dict) and isinstance(p.get("text"), str) else p
                 for p in content]  # fmt: skip
        return {**message, "content": parts}
    return message


def _content(message: Any) -> Any:
    return message.get("content") if isinstance(message, dict) else message
