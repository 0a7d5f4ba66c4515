"""Mine (question, candidate, label) pairs from the helper-written question sets: what the product
reads for each plainly read case (the best READ candidates), plus its gold sentences, labelled by
the case's gold quote and keywords; near misses and off-topic cases give negatives only.

Experiment E69 (docs/READER.md, 2026-12-06): kept in history only, not shipped.
Usage: python training/essay_pairs.py OUT.json SET...   (SET: questions, dev, fresh, blind, sealed,
or a folder name under tests/ with essays/ and questions.yaml; indexes go to training/cache/essays/)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag import Retriever  # noqa: E402
from rag.answer import assistant as assistant_module, evidence  # noqa: E402
from rag.answer.intent import read_intent  # noqa: E402
from rag.eval.questionset import load_question_set  # noqa: E402
from rag.ingest.sentences import normalize  # noqa: E402

READ = 10


def paths(name: str) -> tuple[Path, Path]:
    """A set's questions and essays."""
    if name in ("questions", "dev", "fresh", "blind", "sealed"):
        file = "questions.yaml" if name == "questions" else f"{name}_questions.yaml"
        return ROOT / "tests" / file, ROOT / "seeds"
    return ROOT / "tests" / name / "questions.yaml", ROOT / "tests" / name / "essays"


def main() -> None:
    out, names = Path(sys.argv[1]), sys.argv[2:]
    seen: dict = {}
    gather = evidence.gather

    def spy(*args, **kwargs):  # what Assistant.ask reads, as it reads it
        seen["args"] = args
        seen["candidates"] = gather(*args, **kwargs)
        return seen["candidates"]

    assistant_module.gather = spy
    evidence.READ_TOP = READ
    pairs = []
    for name in names:
        questions, essays = paths(name)
        retriever = Retriever.open(essays, ROOT / "training" / "cache" / "essays" / name)
        asker = assistant_module.Assistant(retriever)
        for case in load_question_set(questions):
            if case.history or not evidence.reads_plainly(read_intent(case.question)):
                continue
            seen.clear()
            asker.ask(case.question)
            if "candidates" not in seen:
                continue
            asked = seen["args"][5]
            golds = [normalize(g) for g in case.gold_quotes]
            keys = [k.lower() for k in case.answer_keywords]

            def label(text: str) -> float:
                n = normalize(text)
                hit = any(g in n or (len(n) > 20 and n in g) for g in golds)
                return float(hit and (not keys or any(k in text.lower() for k in keys)))

            rows = {c.row for c in seen["candidates"] if c.probability > 0}
            if case.sources:
                rows |= {r for r, s in enumerate(retriever.sentences) if s.source in case.sources and label(s.text)}
            pairs += [{"set": name, "id": case.id, "question": asked, "text": evidence.reading_text(retriever, r),
                       "label": label(retriever.sentences[r].text) if case.sources else 0.0} for r in sorted(rows)]
        print(name, len(pairs), flush=True)
    out.write_text(json.dumps(pairs))


if __name__ == "__main__":
    main()
