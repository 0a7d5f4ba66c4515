"""Who may use the chat: credentials from a file or the environment, and a lock-out after
repeated wrong passwords, so the login form cannot be tried thousands of times a minute."""

from __future__ import annotations

import hmac
import os
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

from rag.errors import RagError

MAX_FAILURES = 5  # wrong passwords in a row before a user name is locked out
LOCKOUT_S = 60.0  # how long the lock-out lasts; every try during it is refused


def parse_credentials(text: str, origin: str) -> tuple[str, str]:
    """(user, password) from "USER:PASS"; a RagError naming ``origin`` when malformed."""
    user, sep, password = text.strip().partition(":")
    if not sep or not user or not password:
        raise RagError(f"{origin} must hold USER:PASS")
    return user, password


def read_auth_file(path: str | Path) -> tuple[str, str]:
    """Credentials from the first line of a file only its owner can read (mode 600 or stricter)."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
        first = path.read_text(encoding="utf-8").splitlines()[:1]
    except OSError as exc:
        raise RagError(f"cannot read the auth file {str(path)!r}: {exc.strerror or exc}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise RagError(f"the auth file {str(path)!r} can be read by others (mode {stat.S_IMODE(mode):o}); run chmod 600 on it")
    return parse_credentials(first[0] if first else "", f"the auth file {str(path)!r}")


def credentials(flag: str | None, file: str | None) -> tuple[tuple[str, str] | None, str | None]:
    """The credentials to require, from --auth-file, RAG_AUTH or --auth (in that order of
    preference), and a warning to print when they came from the flag, which `ps` shows."""
    if file:
        return read_auth_file(file), None
    if os.environ.get("RAG_AUTH"):
        return parse_credentials(os.environ["RAG_AUTH"], "RAG_AUTH"), None
    if flag:
        warning = "--auth puts the password in the process list (ps); use --auth-file PATH or RAG_AUTH instead"
        return parse_credentials(flag, "--auth"), warning
    return None, None


class LoginGuard:
    """Gradio's ``auth`` callable for one account: constant-time comparison, and after
    MAX_FAILURES wrong passwords in a row for a user name, every try is refused for LOCKOUT_S."""

    def __init__(self, user: str, password: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._user, self._password, self._clock = user, password, clock
        self._failures: dict[str, int] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, user: str, password: str) -> bool:
        with self._lock:
            now = self._clock()
            if self._locked_until.get(user, 0.0) > now:
                return False
            same_user = hmac.compare_digest(user.encode(), self._user.encode())
            right = hmac.compare_digest(password.encode(), self._password.encode()) and same_user
            if right:
                self._failures.pop(user, None)
                return True
            self._failures[user] = self._failures.get(user, 0) + 1
            if self._failures[user] >= MAX_FAILURES:
                self._locked_until[user] = now + LOCKOUT_S
                self._failures[user] = 0
            return False
