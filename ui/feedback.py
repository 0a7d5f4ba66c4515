"""Thumbs up/down on answers, appended as JSON Lines: one vote per line, safe across threads."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

class FeedbackLog:
    """Appends votes to ``<data_dir>/feedback.jsonl``; one lock per file, shared by all users."""

    _locks: dict[Path, threading.Lock] = {}
    _locks_guard = threading.Lock()

    def __init__(self, data_dir: str | Path) -> None:
        self.path = Path(data_dir) / "feedback.jsonl"
        with self._locks_guard:
            self._lock = self._locks.setdefault(self.path.resolve(), threading.Lock())

    def append(
        self,
        question: str,
        answer: str,
        citations: list[dict[str, Any]],
        vote: str,
        refused: bool | None = None,
    ) -> dict[str, Any]:
        """Write one vote (``up``, ``down`` or ``retracted``) and return the record written."""
        record = {
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "vote": vote,
            "question": question,
            "answer": answer,
            "refused": refused,
            "citations": [
                {k: c.get(k) for k in ("number", "source", "quote", "quote_start", "quote_end")}
                for c in citations
            ],
        }
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)
        return record


def vote_name(liked: bool | str) -> str:
    """Gradio's ``LikeData.liked`` (True, False, or "" when a vote is taken back) as a word."""
    if liked is True or liked == "Like":
        return "up"
    if liked is False or liked == "Dislike":
        return "down"
    return "retracted"
