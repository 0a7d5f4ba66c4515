"""The `rag` command: index, search, ask, serve, eval.

Each subcommand is a small function; heavy libraries are imported only when a command
needs them, so `rag --help` answers at once. Errors end with one line on stderr and a
non-zero exit code: 1 for a problem with data or input, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .console import byline, highlight, progress_bar, setup_logging, use_colour
from .errors import RagError
from .settings import DEFAULT_MODEL, Settings, settings_from_env

EPILOG = """examples:
  rag index                         build the index from ./seeds into ./index
  rag search "what tariffs does Japan face?" -k 3
  rag ask "what three areas are ripe for cooperation?"
  rag ask                           a conversation: follow-ups ("why?") read earlier answers
  rag serve --port 7860             web chat on http://127.0.0.1:7860
  rag eval tests/questions.yaml --fail-under hit@5=0.95

environment: RAG_MODEL, RAG_SEEDS_DIR, RAG_INDEX_DIR, RAG_DATA_DIR, RAG_CHUNK_TOKENS,
RAG_CHUNK_OVERLAP, RAG_K (flags win over the environment); RAG_READER (other reader weights),
RAG_NUMPY_ENCODER=0, RAG_QUERY_BLAS_THREADS, RAG_AUTH=USER:PASS (rag serve). README: Configuration."""


SEEDS_DIR_HELP = "folder of essays (default: RAG_SEEDS_DIR, else the folder the index was built from, else seeds)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag",
        description="Ask questions of a folder of essays; every answer quotes its sources verbatim.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv: debug)")
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("index", help="build or rebuild the index from a folder of essays")
    p.add_argument("seeds", nargs="?", help="folder of essays: .md, .txt, .pdf, .html, .docx (default: seeds, or RAG_SEEDS_DIR)")
    p.add_argument("--seeds-dir", help="the same folder, named as the other commands name it")
    _index_dir(p)
    p.add_argument("--model", help=f"sentence-transformers model name or path (default: {DEFAULT_MODEL})")
    p.add_argument("--chunk-tokens", type=int, help="chunk size in model tokens (default: 240)")
    p.add_argument("--chunk-overlap", type=int, help="tokens shared by neighbouring chunks (default: 48)")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="show the passages that best match a question")
    p.add_argument("question", nargs="?", help="the question; omit it for an interactive prompt")
    _common_query(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question with cited, verbatim quotes")
    p.add_argument("question", nargs="?", help="the question; omit it for a conversation at a prompt, "
                   "where follow-ups (\"why?\", \"and the second one?\") read the earlier answers")
    _common_query(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("serve", help="start the web chat (binds 127.0.0.1 by default)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="port (default: 7860)")
    p.add_argument("--auth-file", metavar="PATH", help="require the USER:PASS on this file's first line (mode 600)")
    p.add_argument("--auth", metavar="USER:PASS", help="the same from the command line (visible in ps; prefer "
                   "--auth-file or RAG_AUTH)")
    p.add_argument("--seeds-dir", help=SEEDS_DIR_HELP)
    _index_dir(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("eval", help="score answers against a YAML question set")
    p.add_argument("questions", help="question-set YAML file (format: docs/EVAL.md)")
    _index_dir(p)
    p.add_argument("--seeds-dir", help=SEEDS_DIR_HELP)
    p.add_argument("-k", "--k", type=int, default=5, help="passages retrieved per question (default: 5)")
    p.add_argument("--json", dest="json_path", metavar="PATH", help="write the JSON report here")
    p.add_argument("--junit", metavar="PATH", help="write a JUnit XML report here")
    p.add_argument("--markdown", metavar="PATH", help="write a Markdown report here")
    p.add_argument("--baseline", metavar="PATH", help="earlier JSON report; fail on any regression")
    p.add_argument(
        "--fail-under", action="append", default=[], metavar="METRIC=VALUE",
        help="fail when a summary metric is below VALUE (repeatable), e.g. hit@5=0.95",
    )
    p.add_argument(
        "--fail-over", action="append", default=[], metavar="METRIC=VALUE",
        help="fail when false_refusal_rate or a latency is above VALUE (repeatable), e.g. latency_ms_p95=500",
    )
    p.set_defaults(func=cmd_eval)
    return parser


def _index_dir(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index-dir", help="index folder (default: index, or RAG_INDEX_DIR)")


def _common_query(p: argparse.ArgumentParser) -> None:
    p.add_argument("-k", "--k", type=int, help="number of passages (default: 5)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.add_argument("--seeds-dir", help=SEEDS_DIR_HELP)
    _index_dir(p)


def settings_for(args: argparse.Namespace) -> Settings:
    """Environment settings overridden by whichever flags this command has.

    A seeds folder the user named (a flag or RAG_SEEDS_DIR) must exist: answering from an old
    index while the essays named are missing would hide a typo. Only the default ``seeds``
    may be absent, for an index shipped without its essays. With none named, a command uses the
    folder the index was built from (``rag index FOLDER``), so it does not rebuild the index
    from ``seeds/`` and drop the user's essays.
    """
    from .index.store import built_from

    named = getattr(args, "seeds", None) or getattr(args, "seeds_dir", None) or os.environ.get("RAG_SEEDS_DIR")
    if named and not Path(named).is_dir():
        what = "is not a folder" if Path(named).exists() else "does not exist"
        hint = "" if hasattr(args, "seeds") else ", or leave it out to answer from the index alone"
        raise RagError(f"the essays folder {named!r} {what}; name an existing folder{hint}")
    env = settings_from_env()
    index_dir = getattr(args, "index_dir", None) or env.index_dir
    recorded = None if named or hasattr(args, "seeds") else built_from(index_dir)
    if recorded and not Path(recorded).is_dir():  # moved or deleted since
        recorded = _moved_essays(recorded, env.seeds_dir, index_dir)
    return env.with_overrides(
        seeds_dir=getattr(args, "seeds", None) or getattr(args, "seeds_dir", None) or recorded,
        index_dir=getattr(args, "index_dir", None),
        model=getattr(args, "model", None),
        chunk_tokens=getattr(args, "chunk_tokens", None),
        chunk_overlap=getattr(args, "chunk_overlap", None),
        k=getattr(args, "k", None),
    )


def _moved_essays(recorded: str, default: str, index_dir: str) -> str:
    """The folder to use when the one the index was built from is gone: ``default`` when it holds
    the same essays (the project was moved), else the missing folder, so that the index answers
    as it is instead of being rebuilt from other essays."""
    from .index.build import holds_corpus

    if Path(default).is_dir() and holds_corpus(default, index_dir):
        return default
    other = f", and {default!r} holds other essays" if Path(default).is_dir() else ""
    print(f"rag: the essays folder the index was built from, {recorded!r}, is missing{other}: answering from"
          " the index as it is (name a folder with --seeds-dir to rebuild from it)", file=sys.stderr)
    return recorded


def open_retriever(settings: Settings, progress: bool = True) -> Any:
    """The retriever for these settings, building or rebuilding the index when needed."""
    from .retrieve.retriever import Retriever

    return Retriever.open(settings.seeds_dir, settings.index_dir, settings, progress_bar("embedding") if progress else None)


LISTED_ESSAYS = 20  # essays `rag index` lists with the title and author it found


def cmd_index(args: argparse.Namespace) -> int:
    from .index.build import build_index

    settings = settings_for(args)
    data = build_index(settings.seeds_dir, settings.index_dir, settings, progress_bar("embedding"))
    counts = data.manifest["counts"]
    print(
        f"indexed {counts['documents']} essays into {settings.index_dir}/: {counts['chunks']} chunks"
        f" ({counts['duplicate_chunks']} duplicates skipped), {counts['sentences']} sentences,"
        f" {counts['terms']} distinct words, model {settings.model}"
    )
    for doc in data.documents[:LISTED_ESSAYS]:  # what each file gave, to check a PDF's or Word file's title and author
        print(f"  {doc.source}: “{doc.title}”" + (f" by {doc.author}" if doc.author else ", no author found"))
    if len(data.documents) > LISTED_ESSAYS:
        print(f"  … and {len(data.documents) - LISTED_ESSAYS} more")
    skipped = _skipped(Path(settings.seeds_dir), {d.source for d in data.documents})
    if skipped:  # the warnings say why, on stderr; the summary must not read as if every file went in
        shown = ", ".join(skipped[:LISTED_ESSAYS]) + (f" and {len(skipped) - LISTED_ESSAYS} more" if len(skipped) > LISTED_ESSAYS else "")
        print(f"  skipped {len(skipped)} file{'s' if len(skipped) > 1 else ''} it could not read: {shown}")
    return 0


def _skipped(root: Path, indexed: set[str]) -> list[str]:
    """The essay files under ``root`` that the index does not hold (unreadable, empty, too big)."""
    from .ingest.load import essay_paths

    return sorted({p.relative_to(root).as_posix() for p in essay_paths(root)} - indexed)


def cmd_search(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    retriever = open_retriever(settings)
    questions = [args.question] if args.question is not None else _prompt("search> ")
    for question in questions:
        try:
            passages = retriever.search(question, k=settings.k)
        except RagError as exc:
            if args.question is not None:
                raise
            print(f"rag: {exc}", file=sys.stderr)
            continue
        if args.json:
            print(json.dumps([asdict(p) for p in passages], ensure_ascii=False, indent=2))
            continue
        colour = use_colour()
        for rank, passage in enumerate(passages, 1):
            print(f"{rank}. [{passage.score:.3f}] {byline(passage)}")
            print(highlight(passage, colour))
            print()
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from .answer.assistant import Assistant
    from .answer.render import answer_to_dict, answer_to_text, cited_passages

    settings = settings_for(args)
    assistant = Assistant(open_retriever(settings), k=settings.k)
    piped = args.question is None and not sys.stdin.isatty()  # no prompts; a transcript names its questions
    questions: Iterable[str] = [args.question] if args.question is not None else _prompt("" if piped else "ask> ")
    history: list[dict[str, str]] = []
    shown: list[tuple[str, int, int]] = []  # the passages the last answer cited (source, start, end)
    echo = piped and not args.json
    for line in questions:
        question = line.strip()
        if echo:
            print(f"ask> {question}")
        try:
            answer = assistant.ask(question, history)  # as the web chat passes its whole conversation
        except RagError as exc:
            if args.question is not None:
                raise
            print(f"rag: {exc}", file=sys.stderr)
            continue
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]
        if args.json:
            print(json.dumps(answer_to_dict(answer), ensure_ascii=False, indent=2))
        else:
            print(answer_to_text(answer, use_colour(), shown))
        shown = list(cited_passages(answer))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from ui.app import serve
    from ui.auth import credentials

    settings = settings_for(args)
    auth, warning = credentials(args.auth, args.auth_file)
    if warning:
        print(f"rag: warning: {warning}", file=sys.stderr)
    serve(settings, host=args.host, port=args.port, auth=auth)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .eval.command import run_command

    return run_command(args, settings_for(args))


def _prompt(prefix: str) -> Iterator[str]:
    """Questions typed at an interactive prompt, until an empty line, 'quit' or end of input; with
    no ``prefix`` (questions piped in) it prints nothing, so stderr holds only errors."""
    if prefix:
        print("Type a question (empty line or Ctrl-D to quit).", file=sys.stderr)
        print("Follow-ups read the earlier answers, as in the web chat.", file=sys.stderr)
    while True:
        print(prefix, end="", file=sys.stderr, flush=True)  # stdout stays clean for --json
        line = sys.stdin.readline()
        if not line:
            if prefix:
                print(file=sys.stderr)  # end the prompt's line
            return
        if line.strip().lower() in ("", "quit", "exit"):
            return
        yield line


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(-1 if args.quiet else args.verbose)
    try:
        return int(args.func(args) or 0)
    except RagError as exc:
        print(f"rag: error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # bad setting values, e.g. --chunk-tokens 4
        print(f"rag: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `rag ask ... | head`: the reader has gone; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:  # an unreadable or unwritable folder, a full disk
        print(f"rag: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("rag: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
