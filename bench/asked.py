"""What the answer-type check (rag/answer/asked.py) costs and gains on held-out SQuAD, in one run.

Every question of the 49 held-out SQuAD articles (never trained on) that asks a kind of fact (a
price, a count, a year, a person's name, a measure) is asked of the product indexed on those
articles as a folder of essays (bench/reader.py's corpus: 6 near misses an article have their
answer sentences deleted), once with the check and once without it (``gives`` patched to say
yes), in the same process. Counted: answerable questions whose first quote holds the answer,
answerable questions refused, near misses refused; by kind and in all.

Usage: python bench/asked.py  (about 3 minutes; rewrites its section of bench/RESULTS.md)
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.quality import switched_off  # noqa: E402
from bench.reader import OUT, test_articles  # noqa: E402
from bench.results import write_section  # noqa: E402


def asked_questions() -> list[Any]:
    """The held-out corpus written out (as bench/reader.py writes it), and its questions of a kind."""
    from rag.answer.asked import asked_kind
    from rag.read.squad import write_corpus

    articles, _ = test_articles(24, True)
    return [q for q in write_corpus(articles, OUT / "seeds", 100_000, 6) if asked_kind(q.text)]


def tally(assistant: Any, questions: list[Any]) -> dict[str, Counter[str]]:
    """Per kind (and "all"): asked, answered right, refused, for answerable questions and near misses."""
    from rag.answer.asked import asked_kind
    from rag.read.squad import collapse

    out: dict[str, Counter[str]] = {}
    for q in questions:
        answer = assistant.ask(q.text)
        first = answer.citations[0].quote if answer.citations and not answer.refused else ""
        side = "answerable" if q.answerable else "near miss"
        for kind in (asked_kind(q.text), "all"):
            counts = out.setdefault(kind, Counter())
            counts[f"{side} asked"] += 1
            counts[f"{side} refused"] += answer.refused
            counts[f"{side} right"] += bool(q.answerable and first and collapse(q.answer) in collapse(first))
    return out


def main() -> None:
    from rag import Assistant, Retriever
    from rag.answer import assistant as assistant_module

    questions = asked_questions()
    assistant = Assistant(Retriever.open(OUT / "seeds", OUT / "index-squad"))
    t = time.perf_counter()
    with_check = tally(assistant, questions)
    with switched_off([(assistant_module, "gives", lambda kind, question, text: True)]):
        without = tally(assistant, questions)
    seconds = time.perf_counter() - t
    rows = ["| kind | answerable | first quote holds the answer (without → with) | refused (without → with) "
            "| near misses | refused (without → with) |", "|---|---|---|---|---|---|"]  # fmt: skip
    for kind in sorted(with_check, key=lambda k: (k == "all", k)):
        a, b = without[kind], with_check[kind]
        rows.append(f"| {kind} | {a['answerable asked']} | {a['answerable right']} → {b['answerable right']} | "
                    f"{a['answerable refused']} → {b['answerable refused']} | {a['near miss asked']} | "
                    f"{a['near miss refused']} → {b['near miss refused']} |")  # fmt: skip
    markdown = "\n".join([
        "## The answer-type check on held-out SQuAD",
        "",
        f"`python bench/asked.py`, run {time.strftime('%Y-%m-%d')} ({seconds:.0f} s for both passes). Every question "
        "of the 49 held-out SQuAD articles that asks a price, a count, a year, a person's name or a measure, "
        "asked of the product on those articles indexed as essays, without the check and with it, in the same "
        "process. SQuAD's paragraphs hold a figure or a name in nearly every sentence, so the check rarely "
        "fires here; on essays it refuses many more near misses (docs/ANSWERS.md, the ablation above).",
        "",
        *rows,
    ])  # fmt: skip
    write_section("asked", markdown)
    print(markdown)


if __name__ == "__main__":
    main()
