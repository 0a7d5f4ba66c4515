"""Retrieval and answer quality of the plain recipe, its parts, and ours, in one process.

Runs tests/questions.yaml through each system and writes bench/RESULTS.md (quality part):

- plain: LangChain's RecursiveCharacterTextSplitter(1000, 200) + the same MiniLM model +
  FAISS flat (L2), answered by "the best sentence of the best passage" (never refuses);
- bm25 / dense / dense+bm25 (RRF) / dense+bm25 (weighted): our chunks, one signal or a
  plain fusion, answered by our Assistant;
- ours, and ours with one technique removed at a time (the ablation);
- chunk sizes 64 / 128 / 200 / 256 tokens for our pipeline (chooses the default).

Every system runs on tests/questions.yaml (tune / held-out split and the whole set) and on
tests/dev_questions.yaml (80 cases written blind by two helpers, then tuned on). The plain recipe
and ours also run on tests/fresh_questions.yaml and tests/sealed_questions.yaml, sets written
by helpers who saw only the essays (see bench/RESULTS.md for how each was used).
Usage: python bench/quality.py [--questions tests/questions.yaml]  (also rewrites its section of
bench/RESULTS.md; the full tables go to bench/out/quality.md)
"""

from __future__ import annotations

import argparse
import logging
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402
from rag import Answer, Assistant, Citation, Passage, Retriever, Settings, Weights  # noqa: E402
from rag.embed import encode, load_model  # noqa: E402
from rag.eval import run_eval  # noqa: E402
from rag.eval.questionset import documents_of, load_question_set  # noqa: E402
from rag.index.store import flat_index  # noqa: E402
from rag.ingest.load import load_corpus  # noqa: E402
from rag.ingest.sentences import sentence_spans  # noqa: E402
import rag.answer.assistant as assistant_module  # noqa: E402
import rag.answer.choose as choose_module  # noqa: E402
import rag.answer.evidence as evidence_module  # noqa: E402
import rag.answer.intent as intent_module  # noqa: E402
import rag.answer.lists as lists_module  # noqa: E402
import rag.answer.quotes as quotes_module  # noqa: E402

NEVER = re.compile(r"(?!)")  # a pattern that matches nothing

# Answer techniques switched off one at a time for the ablation. The product has no switches
# for them, so the bench patches the function or pattern each one lives in.
ANSWER_ABLATIONS: dict[str, list[tuple[Any, str, Any]]] = {
    "ours − acronym expansion": [(Retriever, "expand", lambda self, text: text)],
    "ours − reason for why-questions": [(module, "gives_reason", lambda sentence, loosely=False: True)
                                        for module in (choose_module, quotes_module)],
    "ours − sentence before a leaning quote": [(assistant_module, "with_context", lambda r, chosen, **_: list(chosen))],
    "ours − lists named in one sentence": [(lists_module, "lists_inline", lambda sentence: False),
                                           (intent_module, "_ASKED_NOUNS", NEVER)],
    "ours − \"what does X say about Y\" read as a topic, not a fact": [(intent_module, "_SAYS_ABOUT", NEVER)],
    "ours − \"what does X say about Y\" answered by a sentence naming Y, however far in cosine": [
        (assistant_module.Assistant, "_naming_topic", lambda self, question, named, candidates: [])],
    "ours − where or whether an essay mentions Y answered only by a quote naming Y": [
        (intent_module, "_WHETHER", NEVER), (intent_module, "_LOCATE", NEVER)],
    "ours − a why-question's premise picked by the reader": [
        (module, "reads_why", lambda intent: False) for module in (evidence_module, lists_module)],
    "ours − \"why?\" after an answer drops the quotes it already gave": [
        (assistant_module, "unrepeated", lambda chosen, shown, retriever: list(chosen))],
    "ours − a follow-up reads the sentence after the last quote with that quote": [
        (assistant_module, "continuing", lambda r, reader, question, candidates, passages, shown: list(candidates))],
    "ours − what an announcing quote announces (its list, its First/Second)": [
        (assistant_module, "with_announced", lambda r, chosen, *_, **__: list(chosen))],
    "ours − the next sentence, where the reader finds the answer goes on in it": [
        (assistant_module, "with_next", lambda r, reader, question, chosen: list(chosen))],
    "ours − a quote must give the kind of fact asked for (a price, a count, a year, a name)": [
        (assistant_module, "gives", lambda kind, question, text: True)],
    "ours − a second quote scoring within 0.92 of the first": [(choose_module, "SECOND_WITHIN", 9.0)],
    "ours − written lists (- or 1.) read as the list's items": [
        (module, "markup_list", lambda r, c, size, plural="": []) for module in (choose_module, lists_module)],
    "ours − a why-question's cause beside its premise (E91)": [
        (module, "paragraph_reasons", lambda retriever, ev: True) for module in (choose_module, quotes_module)],
    "ours − a name no essay holds refused by name (E85)": [
        (assistant_module.Assistant, "_unheld", lambda self, question: [])],
    "ours − a why-answer's quote that announces points gets them wherever it stands (E101b)": [
        (assistant_module, "announced_anywhere", lambda intent: bool(intent.list_size))],
    "ours − a follow-up naming something new is answered from the sentences naming it (E102)": [
        (assistant_module, "new_names", lambda question, history: [])],
    "ours − a quote goes on to the end of a quotation it opened (E103)": [
        (assistant_module, "whole_quotations", lambda r, quotes: list(quotes))],
    "ours − a possessive before the asked plural still makes a list (E104)": [
        (intent_module, "_ARE_THE", re.compile(r"^\W*(?:what|which)\s+(?:are|were)\s+(?:the|its|their|his|her)\s+"
                                               r"([a-z-]+)(?:\s+([a-z-]+))?"))],
    "ours − a written list whose lead-in names the asked plural, beyond the best five (E105)": [
        (module, "markup_list", lambda r, c, size, plural="", _list=lists_module.markup_list: _list(r, c, size))
        for module in (choose_module, lists_module)],
}


@contextmanager
def switched_off(patches: list[tuple[Any, str, Any]]) -> Iterator[None]:
    """Replace each (owner, attribute) for the duration, then restore it."""
    with ExitStack() as stack:
        for owner, name, value in patches:
            stack.enter_context(mock.patch.object(owner, name, value))
        yield

METRICS = ["hit@1", "hit@5", "mrr", "quote_recall@5", "answer_pass", "refusal_accuracy",
           "false_refusal_rate", "citation_validity"]


class PlainRecipe:
    """The usual LangChain recipe, rebuilt with its splitter and a flat FAISS index."""

    def __init__(self, seeds: Path, model_name: str) -> None:
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.model = load_model(model_name)
        self.documents = {d.source: d for d in load_corpus(seeds)}
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
        self.chunks = []
        for doc in self.documents.values():
            for piece in splitter.create_documents([doc.text]):
                start = piece.metadata["start_index"]
                self.chunks.append((doc, start, start + len(piece.page_content)))
        vectors = self.model.encode([d.text[s:e] for d, s, e in self.chunks], convert_to_numpy=True)
        import faiss

        self.index = faiss.IndexFlatL2(vectors.shape[1])
        self.index.add(np.asarray(vectors, dtype=np.float32))

    def search(self, query: str, k: int = 5) -> list[Passage]:
        """Top-k chunks by L2 distance; only the first gets a chosen quote (the naive answer)."""
        qv = np.asarray(self.model.encode([query], convert_to_numpy=True), dtype=np.float32)
        distances, rows = self.index.search(qv, min(k, len(self.chunks)))
        passages = []
        for distance, row in zip(distances[0], rows[0], strict=True):
            doc, start, end = self.chunks[int(row)]
            passages.append(Passage(doc.text[start:end], doc.source, doc.title, doc.author, start, end,
                                    float(-distance), doc.text[start:end], start, end))
        return passages

    def best_sentence(self, passage: Passage, question: str) -> tuple[int, int]:
        """The passage sentence closest to the question (the recipe's naive quote)."""
        text = self.documents[passage.source].text
        spans = sentence_spans(text, passage.start, passage.end) or [(passage.start, passage.end)]
        vectors = encode(self.model, [question] + [text[s:e] for s, e in spans])
        return spans[int(np.argmax(vectors[1:] @ vectors[0]))]


class NaiveAnswerer:
    """'The best sentence of the best passage' as the answer; it never refuses."""

    def __init__(self, retriever: Any, k: int = 5) -> None:
        self.retriever, self.k = retriever, k

    def ask(self, question: str, history: Any = None) -> Answer:
        top = self.retriever.search(question, k=self.k)[0]
        start, end = (top.quote_start, top.quote_end)
        if isinstance(self.retriever, PlainRecipe):
            start, end = self.retriever.best_sentence(top, question)
        quote = self.retriever.documents[top.source].text[start:end]
        citation = Citation(1, top, quote, start, end)
        return Answer(f"“{quote}” [1]", (citation,), False, question, question)


def score(name: str, retriever: Any, assistant: Any, questions: Path, dev: Path | None = None) -> dict[str, Any]:
    """Summary per split (and on the dev set), plus the median latency of retrieval alone and of a whole answer."""
    report = run_eval(questions, retriever, assistant, k=5)
    cases = load_question_set(questions, documents_of(retriever))
    timings = []
    for case in cases:
        getattr(retriever, "clear_caches", lambda: None)()  # time a cold query, not a cache hit
        started = time.perf_counter()
        retriever.search(case.question, k=5)
        timings.append((time.perf_counter() - started) * 1000)
    words = [len(c["answer"].split()) for c in report.to_dict()["cases"] if c["answer"]]
    row = {"name": name, "search_ms": statistics.median(timings), "words": statistics.median(words)}
    for split in ("tune", "heldout"):
        row[split] = report.by_split.get(split, {})
    row["all"] = report.summary
    row["answer_ms"] = report.summary.get("latency_ms_p50")
    if dev is not None and dev.is_file():
        row["dev"] = run_eval(dev, retriever, assistant, k=5).summary
    logging.getLogger("rag").warning("%-40s done", name)
    return row


def run(questions: Path, out: Path, dev: Path, unseen: list[Path]) -> None:
    seeds = ROOT / "seeds"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Retriever.build(seeds, Path(tmp) / "ours", Settings())
        plain = PlainRecipe(seeds, base.settings.model)
        rows.append(score("plain recipe (LangChain 1000/200)", plain, NaiveAnswerer(plain), questions, dev))
        variants = {
            "BM25 alone": Weights(chunk=0, sentence=0, lexical=1, ordinal=0, focus=0, author_filter=False),
            "dense alone (our chunks)": Weights(chunk=1, sentence=0, lexical=0, ordinal=0, focus=0, author_filter=False),
            "dense + BM25, RRF": Weights(fusion="rrf", ordinal=0, focus=0, author_filter=False),
            "dense + BM25, weighted": Weights(chunk=0.6, sentence=0, lexical=0.4, ordinal=0, focus=0, author_filter=False),
            "ours": Weights(),
            "ours − sentence signal": replace(Weights(), sentence=0, chunk=0.8),
            "ours − BM25": replace(Weights(), lexical=0),
            "ours − author filter": replace(Weights(), author_filter=False),
            "ours − ordinal lift": replace(Weights(), ordinal=0),
            "ours − question focus": replace(Weights(), focus=0),
            "ours − related words for unknown words": replace(Weights(), related=2.0),
        }
        for name, weights in variants.items():
            base.weights = weights
            rows.append(score(name, base, Assistant(base), questions, dev))
        base.weights = Weights()
        for name, patches in ANSWER_ABLATIONS.items():
            with switched_off(patches):
                rows.append(score(name, base, Assistant(base), questions, dev))
        rows.append(score("ours retrieval + naive answer", base, NaiveAnswerer(base), questions, dev))
        for size, overlap in ((64, 16), (128, 32), (200, 40), (240, 48), (256, 48)):
            other = Retriever.build(seeds, Path(tmp) / f"c{size}", Settings(chunk_tokens=size, chunk_overlap=overlap))
            rows.append(score(f"ours, chunks {size}/{overlap} tokens", other, Assistant(other), questions, dev))
        unseen_rows = []
        for path in unseen:  # sets written by helpers who saw only the essays
            if path.is_file():
                unseen_rows.append((path, [score("plain recipe (LangChain 1000/200)", plain, NaiveAnswerer(plain), path),
                                           score("ours", base, Assistant(base), path)]))
    markdown = render(rows, questions, dev) + "".join(render_unseen(r, path) for path, r in unseen_rows)
    out.write_text(markdown, encoding="utf-8")
    write_section("quality", markdown)
    print(markdown)


def render(rows: list[dict[str, Any]], questions: Path, dev: Path) -> str:
    """Markdown: one table per split and for the dev set, then latency."""
    cases = rows[0]["all"].get("cases")
    lines = [
        "## Quality: retrieval and answers",
        "",
        f"`python bench/quality.py` on `{questions.relative_to(ROOT)}` ({cases} cases; tune/held-out split"
        f" from the file's `split` key) and `{dev.relative_to(ROOT)}` ({rows[0].get('dev', {}).get('cases')} cases),"
        " all systems in one process, same model (all-MiniLM-L6-v2),"
        f" k=5. Machine: 2 cores, 24 GiB, CPU only. Run {time.strftime('%Y-%m-%d')}.",
        "",
    ]
    titles = {"heldout": "held-out cases", "tune": "tune cases", "all": "all cases of the question set",
              "dev": "development set (written blind by a helper, then tuned on)"}
    for split, title in titles.items():
        lines += [f"### {title}", "", "| system | " + " | ".join(METRICS) + " |", "|---" * (len(METRICS) + 1) + "|"]
        for row in rows:
            values = row.get(split, {})
            lines.append(f"| {row['name']} | " + " | ".join(_fmt(values.get(m)) for m in METRICS) + " |")
        lines.append("")
    plain = rows[0]["search_ms"]
    lines += ["### Latency and length (question set)", "",
              "| system | median search ms | × plain | median answer ms | median answer words |",
              "|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['name']} | {row['search_ms']:.1f} | {row['search_ms'] / plain:.2f} |"
                     f" {_fmt(row['answer_ms'], 1)} | {row['words']:.0f} |")
    return "\n".join(lines) + "\n"


def render_unseen(rows: list[dict[str, Any]], path: Path) -> str:
    """Markdown table for a set written by someone who never saw the system."""
    lines = ["", f"### `{path.relative_to(ROOT)}` ({rows[0]['all'].get('cases')} cases, written by a helper"
             " who saw only the essays)", "",
             "| system | " + " | ".join(METRICS) + " |", "|---" * (len(METRICS) + 1) + "|"]
    for row in rows:
        lines.append(f"| {row['name']} | " + " | ".join(_fmt(row["all"].get(m)) for m in METRICS) + " |")
    return "\n".join(lines) + "\n"


def _fmt(value: Any, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=ROOT / "tests" / "questions.yaml")
    parser.add_argument("--dev", type=Path, default=ROOT / "tests" / "dev_questions.yaml")
    parser.add_argument("--unseen", type=Path, nargs="*",
                        default=[ROOT / "tests" / f"{name}_questions.yaml" for name in ("fresh", "sealed", "blind")])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "quality.md")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="bench: %(message)s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    run(args.questions.resolve(), args.out, args.dev.resolve(), [p.resolve() for p in args.unseen])


if __name__ == "__main__":
    main()
