"""Terminal presentation shared by the CLI commands: logging, colours, highlighted quotes."""

from __future__ import annotations

import logging
import os
import sys
import textwrap
import warnings
from collections.abc import Callable, Sequence

from .ingest.structure import own_line
from .types import Passage

Progress = Callable[[int, int, str], None]

BOLD_YELLOW = "\x1b[1;33m"
DIM = "\x1b[2m"
RESET = "\x1b[0m"


def setup_logging(verbosity: int) -> None:
    """``rag: message`` lines on stderr; third-party chatter silenced unless -vv."""
    level = logging.WARNING if verbosity < 0 else logging.INFO if verbosity < 2 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("rag: %(message)s"))
    root = logging.getLogger("rag")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    if verbosity < 2:
        warnings.filterwarnings("ignore")
        for name in ("transformers", "sentence_transformers", "httpx", "huggingface_hub", "faiss", "pypdf"):
            logging.getLogger(name).setLevel(logging.ERROR)
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


def use_colour(stream: object = sys.stdout) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set."""
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ


def highlight(passage: Passage, colour: bool, width: int = 100, quotes: Sequence[tuple[int, int]] = ()) -> str:
    """The passage, wrapped block by block as the essay lays it out (paragraphs, and headings, list
    items and table rows on lines of their own), with its quote (or each of ``quotes``, document offsets)
    in bold yellow, or between ** on a plain stream."""
    spans = sorted(quotes or [(passage.quote_start, passage.quote_end)])
    marker = "\x00"  # wrap first, colour after, so escape codes do not upset the widths
    text, marked, at = passage.text, "", 0
    for start, end in spans:
        start, end = max(start - passage.start, at), min(end - passage.start, len(text))
        if start < end:
            marked += f"{text[at:start]}{marker}{text[start:end]}{marker}"
            at = end
    marked += text[at:]
    wrapped = "".join(
        gap + textwrap.fill(block, width=width, initial_indent="    ", subsequent_indent="    ", break_on_hyphens=False)
        for gap, block in _blocks(marked.strip())
    )
    opener, closer = (BOLD_YELLOW, RESET) if colour else ("**", "**")
    parts = wrapped.split(marker)
    if len(parts) % 2 == 0:
        return wrapped.replace(marker, "")
    for i in range(1, len(parts), 2):  # the quoted parts
        quoted = parts[i].replace("\n    ", f"{closer}\n    {opener}") if colour else parts[i]
        parts[i] = f"{opener}{quoted}{closer}"
    return "".join(parts)


def _blocks(text: str) -> list[tuple[str, str]]:
    """Each paragraph, heading, list item or table row of ``text`` on one line, with what goes
    before it: an empty line after a blank line in the text, else a line break (none before the first)."""
    blocks: list[tuple[str, str]] = []
    lines: list[str] = []
    gap = ""

    def add(block: str) -> None:
        nonlocal gap
        blocks.append((gap if blocks else "", " ".join(block.split())))
        gap = "\n"

    for line in text.splitlines():
        if not line.strip() or own_line(line):
            if lines:
                add(" ".join(lines))
                lines.clear()
            if line.strip():
                add(line)
            else:
                gap = "\n\n"
        else:
            lines.append(line)
    if lines:
        add(" ".join(lines))
    return blocks


def byline(passage: Passage) -> str:
    """'Title — Author (source:start-end)'."""
    who = f" — {passage.author}" if passage.author else ""
    return f"{passage.title}{who} ({passage.source}:{passage.start}-{passage.end})"


LOG_EVERY_S = 10.0  # off a terminal, one progress line this often


def progress_bar(desc: str, stream: object = None) -> Progress:
    """A ``progress(done, total, what)`` callback: a tqdm bar on a terminal; elsewhere (a log,
    CI, a service) one ``rag: embedding 1,200/11,890 texts (10%, sentences), 150/s, about
    71 s left`` line every LOG_EVERY_S seconds and one at the end, so a long build is never
    silent."""
    out = stream if stream is not None else sys.stderr
    if not getattr(out, "isatty", lambda: False)():
        return _log_lines(desc)
    from tqdm import tqdm

    state: dict[str, object] = {}

    def progress(done: int, total: int, what: str) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = tqdm(total=total, desc=desc, unit="text", file=out, disable=None)
        bar.set_postfix_str(what, refresh=False)  # type: ignore[attr-defined]
        bar.update(done - bar.n)  # type: ignore[attr-defined]
        if done >= total:
            bar.close()  # type: ignore[attr-defined]

    return progress


def _log_lines(desc: str) -> Progress:
    """The progress callback for a stream that is not a terminal (see progress_bar)."""
    import time

    log = logging.getLogger("rag")
    started, last = time.monotonic(), [float("-inf")]  # the first call always logs

    def progress(done: int, total: int, what: str) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < LOG_EVERY_S:
            return
        first, last[0] = last[0] == float("-inf"), now
        elapsed = max(now - started, 1e-6)
        rate = done / elapsed
        share = f"{100 * done / total:.0f}%" if total else "100%"
        if first and done < total:  # one batch, slowed by warming up, on the longest texts: no estimate yet
            log.info("%s %s/%s texts (%s, %s)", desc, f"{done:,}", f"{total:,}", share, what)
            return
        left = f", about {(total - done) / rate:.0f} s left" if done < total and rate > 0 else f" in {elapsed:.1f} s"
        log.info("%s %s/%s texts (%s, %s), %.0f/s%s", desc, f"{done:,}", f"{total:,}", share, what, rate, left)

    return progress
