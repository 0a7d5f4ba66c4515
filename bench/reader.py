"""The reader against cosine-only selection and the rule-based selector it replaced, in one run.

1. Held-out SQuAD articles (never trained on) written out as a folder of essays and indexed:
   - answerable questions: does the first quote hold the answer, or is it refused?
   - near-miss questions: their answer sentences are deleted from the essay (and the answer
     appears nowhere else in it), so the right behaviour is a refusal;
   - sentence top-1 within the gold paragraph, over every question of those articles.
2. The project's question sets through `rag eval`, before and after.
3. Warm `ask` p50 over distinct questions and cold `rag ask`, before and after.

"Before" is the code at commit BEFORE (the last commit with the previous reader), checked out with
`git worktree` and run in a child process on the same index, so both systems answer the same
questions from the same essays (each from an index of its own, in the format it reads).
Usage: python bench/reader.py [--articles 12] [--per-article 20] [--near-miss 6] [--skip-sets | --ablate]
(rewrites its section of bench/RESULTS.md)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # appended: a child running the "before" code must import its own rag

BEFORE = "b0c9023"  # the last commit that answered with the feature MLP reader (d6224da: the rule-based selector)
BEFORE_NAME = "feature-MLP reader"
OUT = ROOT / "bench" / "out" / "reader"
ABLATION_SETS = ("ablation4", "ablation5", "ablation6", "ablation7", "ablation8", "ablation9",
                 "ablation10", "ablation11", "ablation12", "ablation13", "ablation14",
                 "ablation15", "ablation16", "ablation17", "ablation18", "ablation19")  # tests/<label>, oldest first
JUDGES = ("ablation11", "ablation12", "ablation13", "ablation14", "ablation15", "ablation16", "ablation17",
          "ablation18", "ablation19")  # written after every rule, never read: what keeps or deletes one
SETS = ["tests/questions.yaml", "tests/dev_questions.yaml", "tests/fresh_questions.yaml",
        "tests/blind_questions.yaml", "tests/sealed_questions.yaml", "tests/blind2/questions.yaml"]  # fmt: skip


def test_articles(count: int, calibration: bool) -> tuple[list[Any], dict[str, str]]:
    """The first ``count`` articles of the held-out test half (see rag.read.squad.held_out_test_half),
    then, with ``calibration``, every article of the half that chose the threshold (never trained on
    either); and the half ("test" or "calibration") of each, by essay name."""
    from rag.read.squad import essay_name, held_out_calibration_half, held_out_test_half, load_articles

    articles = load_articles()
    halves = {"test": held_out_test_half(articles)[:count],
              "calibration": held_out_calibration_half(articles) if calibration else []}  # fmt: skip
    return [a for chosen in halves.values() for a in chosen], {
        essay_name(a): half for half, chosen in halves.items() for a in chosen}


def make_corpus(articles: list[Any], halves: dict[str, str], per_article: int,
                near_miss: int) -> tuple[Path, list[dict[str, Any]]]:  # fmt: skip
    """The articles written out as essays under OUT/seeds, and the questions to ask (as dicts,
    so a child process running older code can read them), each with its essay's held-out half."""
    from rag.read.squad import write_corpus

    seeds = OUT / "seeds"
    questions = write_corpus(articles, seeds, per_article, near_miss)
    kind = {True: "answerable", False: "near-miss"}
    return seeds, [
        {"question": q.text, "answer": q.answer, "kind": kind[q.answerable], "source": q.source, "half": halves[q.source]}
        for q in questions
    ]


def answer_cases(seeds: Path, index: Path, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each case asked of the importable `rag` (this process or a child's); timings included."""
    from rag import Assistant, Retriever

    retriever = Retriever.open(seeds, index)
    assistant = Assistant(retriever)
    out = []
    for case in cases:
        asked = ask(assistant, case)
        cosine = _cosine_pick(retriever, case["question"], retriever.search(case["question"], k=5))
        out.append({**asked, "cosine_quote": cosine})
    return out


def ask(assistant: Any, case: dict[str, Any]) -> dict[str, Any]:
    """One case answered: refused or not, the first quote, all quotes, milliseconds."""
    t = time.perf_counter()
    answer = assistant.ask(case["question"])
    ms = (time.perf_counter() - t) * 1000
    first = answer.citations[0].quote if answer.citations and not answer.refused else ""
    quotes = " ".join(c.quote for c in answer.citations) if not answer.refused else ""
    return {**case, "refused": answer.refused, "first_quote": first, "quotes": quotes, "ms": ms}


def _cosine_pick(retriever: Any, question: str, passages: list[Any]) -> str:
    """Cosine-only selection: the sentence of the top-5 passages closest to the question."""
    qv = retriever.embed_query(question)
    rows = sorted({r for p in passages for r in retriever.passage_sentences(p)})
    if not rows:
        return ""
    best = rows[int(np.argmax(retriever.data.sentence_vectors[rows] @ qv))]
    return str(retriever.sentences[best].text)


def corpus_figures(results: list[dict[str, Any]], key: str) -> dict[str, float]:
    """First quote holds the answer / false refusals (answerable); refused (near-miss)."""
    from rag.read.squad import collapse

    answerable = [r for r in results if r["kind"] == "answerable"]
    missing = [r for r in results if r["kind"] == "near-miss"]
    holds = [_holds(r, key) for r in answerable]
    out = {"first_quote_holds_answer": float(np.mean(holds))}
    if key == "first_quote":
        out["some_quote_holds_answer"] = float(np.mean([collapse(r["answer"]) in collapse(r["quotes"]) for r in answerable]))
        out["false_refusal"] = float(np.mean([r["refused"] for r in answerable]))
        out["near_miss_refused"] = float(np.mean([r["refused"] for r in missing]))
    return out


def sentence_top1(seeds: Path, index: Path, articles: list[Any]) -> dict[str, float]:
    """Within the gold paragraph of every held-out question: cosine, cosine + BM25, reader."""
    from rag import Retriever
    from rag.answer.evidence import reading_text
    from rag.read.reader import Reader
    from rag.read.squad import essay_name
    from rag.retrieve.lexical import BM25

    retriever, reader = Retriever.open(seeds, index), Reader.load()
    by_source: dict[str, list[int]] = {}
    for row, s in enumerate(retriever.sentences):
        by_source.setdefault(s.source, []).append(row)
    hits = {"cosine": 0, "cosine + BM25": 0, "reader": 0}
    n = 0
    for a in articles:
        name = essay_name(a)
        text = retriever.document(name).text
        rows = by_source[name]
        for q in a.questions:
            paragraph = " ".join(a.sentences[i] for i, p in enumerate(a.paragraph_of) if p == q.paragraph)
            start = text.find(paragraph)
            gold = {a.sentences[i] for i in q.positives}
            if start < 0:  # the paragraph lost a near-miss sentence: skip its questions
                continue
            own = [r for r in rows if start <= retriever.sentences[r].start < start + len(paragraph)]
            truth = np.array([retriever.sentences[r].text in gold for r in own])
            qv = retriever.embed_query(q.text)
            cos = retriever.data.sentence_vectors[own] @ qv
            lex = BM25([retriever.sentences[r].text for r in own]).scores(q.text)
            probs = reader.probabilities(q.text, [reading_text(retriever, r) for r in own])
            hits["cosine"] += bool(truth[np.argmax(cos)])
            hits["cosine + BM25"] += bool(truth[np.argmax(cos + 0.3 * lex / (lex.max() or 1.0))])
            hits["reader"] += bool(truth[np.argmax(probs)])
            n += 1
    return {k: v / n for k, v in hits.items()} | {"questions": n}


def eval_sets(python_path: str | None) -> dict[str, dict[str, Any]]:
    """Summary of `rag eval` on each question set, with the given code on PYTHONPATH."""
    out = {}
    for qs in SETS:
        seeds = "tests/blind2/essays" if "blind2" in qs else "seeds"
        # each system builds its own index: the "before" code reads an older index format and
        # would rebuild a shared one under the other's feet (and its cold start would time that)
        name = ("index-blind2" if "blind2" in qs else "index-seeds") + ("-before" if python_path else "")
        index = OUT / name
        report = OUT / f"eval-{'before' if python_path else 'after'}-{Path(qs).parent.name}-{Path(qs).stem}.json"
        env = {**os.environ, "RAG_INDEX_DIR": str(index)}
        if python_path:
            env["PYTHONPATH"] = python_path
        cmd = [sys.executable, "-m", "rag.cli", "-q", "eval", str(ROOT / qs), "--seeds-dir", str(ROOT / seeds),
               "--json", str(report)]  # fmt: skip
        subprocess.run(cmd, cwd=python_path or ROOT, env=env, stdout=subprocess.DEVNULL, check=False)
        out[qs] = json.loads(report.read_text())["summary"]
    return out


def cold_ask(python_path: str | None, seeds: Path, index: Path, question: str, repeats: int = 3) -> float:
    """Median wall seconds of a fresh `rag ask` process."""
    env = {**os.environ, "RAG_INDEX_DIR": str(index), "RAG_SEEDS_DIR": str(seeds)}
    if python_path:
        env["PYTHONPATH"] = python_path
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "rag.cli", "-q", "ask", question], cwd=python_path or ROOT, env=env,
                       stdout=subprocess.DEVNULL, check=True)  # fmt: skip
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def child_answers(python_path: str, seeds: Path, index: Path, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """answer_cases run by the code at ``python_path`` in a child process."""
    path = OUT / "cases.json"
    path.write_text(json.dumps(cases))
    env = {**os.environ, "PYTHONPATH": python_path}
    code = (  # this file loaded by path: the worktree has a bench package of its own
        "import json, runpy; f = runpy.run_path(%r)['answer_cases']; "
        "print(json.dumps(f(%r, %r, json.load(open(%r)))))"
    ) % (__file__, str(seeds), str(index), str(path))
    done = subprocess.run([sys.executable, "-c", code], cwd=python_path, env=env, capture_output=True, text=True,
                          check=True)  # fmt: skip
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def ablate(seeds: Path, index: Path, cases: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each answer rule switched off in turn, with the reader: the SQuAD corpus (every third
    case), the dev set (tuned on), the fresh set, tests/ablation4 (5 essays and 50 cases written
    by a helper who never saw the code, for this ablation: lists, why-questions and follow-ups,
    which SQuAD lacks), tests/ablation5 (the same, with essays that use acronyms, ask and answer
    their own questions and enumerate points in prose) and tests/ablation6 (when/how-many near
    misses, "what does X say about Y" on covered and absent topics, acronyms, follow-ups). Besides
    each set's summary, a row counts the cases it passes that the full system fails and the
    reverse ("+2/-1"), over all sets and over the judged cases (the SQuAD sample and JUDGES, written
    after every rule), so a rule whose gains and losses cancel is seen. The blind sets stay out."""
    from bench.quality import ANSWER_ABLATIONS, switched_off
    from rag import Assistant, Retriever
    from rag.eval import run_eval
    import rag.answer.assistant as assistant_module
    import rag.answer.evidence as evidence_module
    from rag.answer.assistant import RefusalPolicy

    extra: dict[str, list[tuple[Any, str, Any]]] = {
        "ours − reader (rule score and no reader refusal)": [(evidence_module, "reads_plainly", lambda intent: False),
                                                            (assistant_module, "reads_plainly", lambda intent: False)],
        "ours − reader refusal (reader still ranks)": [(assistant_module, "RefusalPolicy",
                                                       lambda: RefusalPolicy(min_probability=0.0))],
    }  # fmt: skip
    squad = Retriever.open(seeds, index)
    essays = Retriever.open(ROOT / "seeds", OUT / "index-seeds")
    sets = [("dev", "tests/dev_questions.yaml", essays), ("fresh", "tests/fresh_questions.yaml", essays)]
    for label in ABLATION_SETS:
        sets.append((label, f"tests/{label}/questions.yaml",
                     Retriever.open(ROOT / "tests" / label / "essays", OUT / f"index-{label}")))
    sample = cases[::3]
    out: dict[str, dict[str, Any]] = {}
    full: set[str] | None = None  # the cases the full system gets right (its row comes first)
    for name, patches in {"ours (reader)": [], **ANSWER_ABLATIONS, **extra}.items():
        with switched_off(patches):
            row: dict[str, Any] = {}
            assistant = Assistant(squad)
            squad_results = [ask(assistant, case) for case in sample]
            f = corpus_figures(squad_results, "first_quote")
            row["squad first quote"] = f["first_quote_holds_answer"]
            row["squad near-miss refused"] = f["near_miss_refused"]
            right = {f"squad {i}" for i, r in enumerate(squad_results) if _right(r)}
            for label, qs, r in sets:
                report = run_eval(ROOT / qs, r, Assistant(r))
                row[f"{label} answer pass"] = float(report.summary["answer_pass"] or 0.0)
                row[f"{label} refusal"] = float(report.summary["refusal_accuracy"] or 0.0)
                right |= {f"{label} {c.case.id}" for c in report.cases
                          if (c.refused if c.case.out_of_scope else c.passed)}  # fmt: skip
        full = right if full is None else full
        row["cases gained/lost"] = f"+{len(right - full)}/-{len(full - right)}"
        judged = ("squad ", *(f"{label} " for label in JUDGES))  # the cases no rule was written or kept for
        mine, theirs = ({c for c in got if c.startswith(judged)} for got in (right, full))
        row["judged gained/lost"] = f"+{len(mine - theirs)}/-{len(theirs - mine)}"
        out[name] = row
        print(name, row, flush=True)
    return out


def _holds(result: dict[str, Any], key: str) -> bool:
    """True when the answer's text is in the result's ``key`` quote (collapsed, as SQuAD scores it)."""
    from rag.read.squad import collapse

    return collapse(result["answer"]) in collapse(result[key])


def _right(result: dict[str, Any]) -> bool:
    """A SQuAD corpus case answered right: a near miss refused, else a first quote holding the answer."""
    return bool(result["refused"]) if result["kind"] == "near-miss" else _holds(result, "first_quote")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=24, help="held-out test-half articles to index (of 24)")
    parser.add_argument("--no-calibration-half", dest="calibration", action="store_false",
                        help="leave out the 25 held-out articles that chose the reader's threshold")
    parser.add_argument("--per-article", type=int, default=20)
    parser.add_argument("--near-miss", type=int, default=6)
    parser.add_argument("--skip-sets", action="store_true", help="only the SQuAD corpus part")
    parser.add_argument("--ablate", action="store_true", help="only the ablation of each answer rule")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    from bench.checkout import checkout  # here, not at the top: a child loads this file with the old tree's bench

    before = checkout(BEFORE, OUT)
    articles, halves = test_articles(args.articles, args.calibration)
    seeds, cases = make_corpus(articles, halves, args.per_article, args.near_miss)
    index = OUT / "index-squad"
    if args.ablate:
        rows = ablate(seeds, index, cases)
        (OUT / "ablation.json").write_text(json.dumps(rows, indent=2))
        write_ablation(rows)
        return
    t = time.perf_counter()
    after = answer_cases(seeds, index, cases)  # builds the index on first use
    print(f"after: {time.perf_counter() - t:.0f}s", flush=True)
    before_index = OUT / "index-squad-before"  # its own: see eval_sets
    old = child_answers(before, seeds, before_index, cases)
    figures = {
        "cosine only": corpus_figures(after, "cosine_quote"),
        f"{BEFORE_NAME} ({BEFORE})": corpus_figures(old, "first_quote"),
        "reader (cross-encoder)": corpus_figures(after, "first_quote"),
    }
    by_half = {h: corpus_figures([r for r in after if r["half"] == h], "first_quote")
              for h in ("test", "calibration") if any(r["half"] == h for r in after)}  # fmt: skip
    top1 = sentence_top1(seeds, index, articles)
    answerable = [r for r in after if r["kind"] == "answerable"]
    latency = {
        "warm ask p50 ms, before": statistics.median(r["ms"] for r in old),
        "warm ask p50 ms, after": statistics.median(r["ms"] for r in after),
        "cold rag ask s, before": cold_ask(before, seeds, before_index, answerable[0]["question"]),
        "cold rag ask s, after": cold_ask(None, seeds, index, answerable[0]["question"]),
    }
    sets = {} if args.skip_sets else {"before": eval_sets(before), "after": eval_sets(None)}
    result = {"corpus": figures, "halves": by_half, "top1": top1, "latency": latency, "sets": sets,
              "cases": {"answerable": len(answerable), "near-miss": len(after) - len(answerable),
                        "articles": len(articles),
                        "test articles": len({r["source"] for r in after if r["half"] == "test"})}}  # fmt: skip
    (OUT / "reader.json").write_text(json.dumps(result, indent=2))
    print(json.dumps({k: v for k, v in result.items() if k != "sets"}, indent=2))
    write(result)


def write_ablation(rows: dict[str, dict[str, Any]]) -> None:
    """The ablation table, as its own section of bench/RESULTS.md."""
    from bench.results import write_section

    keys = list(next(iter(rows.values())))
    lines = [
        "## Reader ablation: what each remaining answer rule adds",
        "",
        f"`python bench/reader.py --ablate`, run {time.strftime('%Y-%m-%d')} (2 cores, 24 GiB). Every answer rule",
        "switched off in turn, with the reader choosing sentences and refusals: held-out SQuAD articles as",
        "a corpus (every third case), the dev set (tuned on), the fresh set, and the ablation sets:",
        "`tests/ablation4` to `tests/ablation19` (5 or 6 essays and 40 to 60 cases each, with lists,",
        "why-questions and follow-ups, written for this ablation by helpers who never saw the code;",
        "ablation5's essays also use acronyms, ask and answer their own questions and enumerate points in",
        "prose; ablation6 has when/how-many questions the essays give no date or figure for, \"what does X",
        "say about Y\" on covered and absent topics, acronyms and follow-ups; ablation7 has 14 near misses",
        "and 3 off-topic questions; ablation8 written lists, lists introduced by \"the following.\", prose",
        "enumerations announced by a count and a table; ablation9 22 list questions over enumerations",
        "written every way; ablation10 30 follow-ups in conversations; ablation11 and ablation12, written",
        "after every rule to judge which stay (2026-12-06, tenth session), 14 facts, 6 why, 10 lists, 12",
        "follow-ups, 4 \"what does X say about Y\", 2 \"does X mention Y\", 9 near misses and 3 off-topic",
        "questions each; ablation13, a third judge (2026-12-07, twelfth session), 16 facts, 6 why, 6 lists,",
        "5 \"what does X say about Y\", 5 follow-ups, 10 near misses and 2 off-topic questions, and ablation14,",
        "a fourth (2026-12-07, thirteenth session), the same mix over a news feature, a profile, a policy brief,",
        "a railway history and an opinion essay, ablation15, 40 follow-ups in conversations (2026-12-07,",
        "thirteenth session), ablation16, 20 answerable questions (10 reworded) and 30 to refuse: near",
        "misses, off-topic questions, names no essay holds and false premises (2026-12-07, fourteenth",
        "session), ablation17, 14 lists written every way, 14 why-questions with causes before, after and",
        "inside their effect's sentence, 8 follow-ups, 8 facts and 6 to refuse (2026-12-07, fifteenth",
        "session), ablation18, a general judge over five essays written without any kind of question in",
        "mind (same session), and ablation19, for the reader's two jobs, 38 facts (12 reworded), 6",
        "follow-ups, 14 near misses and 2 off-topic questions over six essays (2026-12-07, session 29); only these",
        "rows of them are read). One answerable case is about 0.025 of an",
        "ablation set's answer pass, 0.015 of dev's, 0.05 of fresh's. The last two columns count the",
        "cases that the row gets right and the full system does not, and the reverse: over all sets, and",
        f"over the judged cases (the SQuAD sample, {', '.join(JUDGES[:-1])} and {JUDGES[-1]}), which no rule was written or kept for.",
        "The blind sets are left out of this table; the deletion pass of 2026-12-06, tenth session, also",
        "judged on them each rule it would delete (docs/READER.md, E71).",
        "",
        "| system | " + " | ".join(keys) + " |",
        "|---|" + "---|" * len(keys),
    ]
    lines += [f"| {name} | " + " | ".join(_cell(row[k]) for k in keys) + " |" for name, row in rows.items()]
    write_section("reader-ablation", "\n".join(lines))


def _cell(value: Any) -> str:
    """A table cell: a figure to three places, anything else (a "+2/-1" count) as it is."""
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def write(result: dict[str, Any]) -> None:
    from bench.results import write_section

    n = result["cases"]
    lines = [
        "## Reader: choosing the sentence to quote, and when to refuse",
        "",
        f"`python bench/reader.py`, run {time.strftime('%Y-%m-%d')} on 2 cores, 24 GiB, CPU only. {n['articles']} held-out",
        "SQuAD v1.1 train articles, never trained on, are written out as one folder of essays and indexed:",
        f"{n.get('test articles', n['articles'])} of the test half and {n['articles'] - n.get('test articles', n['articles'])}"
        " of the calibration half (which chose the reader's two refusal lines, within a paragraph and in the product).",
        f"{n['answerable']} answerable questions and {n['near-miss']} near-miss questions whose answer sentences were",
        "deleted from the essay (the answer appears nowhere else in it).",
        f"Before = the {BEFORE_NAME} at commit `{BEFORE}`, run on the same essays.",
        "",
        "| selection | first quote holds the answer | some quote holds it | false refusals | near-miss refused |",
        "|---|---|---|---|---|",
    ]
    for name, f in result["corpus"].items():
        fr = f"{f['false_refusal']:.3f}" if "false_refusal" in f else "never refuses"
        nm = f"{f['near_miss_refused']:.3f}" if "near_miss_refused" in f else "—"
        some = f"{f['some_quote_holds_answer']:.3f}" if "some_quote_holds_answer" in f else "(one quote)"
        lines.append(f"| {name} | {f['first_quote_holds_answer']:.3f} | {some} | {fr} | {nm} |")
    for half, f in result.get("halves", {}).items():
        lines.append(f"| reader, {half}-half questions only | {f['first_quote_holds_answer']:.3f} | "
                     f"{f['some_quote_holds_answer']:.3f} | {f['false_refusal']:.3f} | {f['near_miss_refused']:.3f} |")
    t = result["top1"]
    lines += ["", f"Sentence top-1 within the gold paragraph ({t['questions']} held-out questions): "
              f"cosine {t['cosine']:.3f}, cosine + BM25 {t['cosine + BM25']:.3f}, reader {t['reader']:.3f}.", ""]  # fmt: skip
    lat = result["latency"]
    lines.append(
        f"Latency on this corpus: warm `ask` p50 {lat['warm ask p50 ms, before']:.0f} ms before, "
        f"{lat['warm ask p50 ms, after']:.0f} ms after ({lat['warm ask p50 ms, after'] / lat['warm ask p50 ms, before']:.2f}×); "
        f"cold `rag ask` {lat['cold rag ask s, before']:.2f} s before, {lat['cold rag ask s, after']:.2f} s after "
        f"({lat['cold rag ask s, after'] / lat['cold rag ask s, before']:.2f}×)."
    )
    if result["sets"]:
        lines += ["", "Project question sets (`rag eval`), before → after:", "",
                  "| set | answer pass | refusal accuracy | false refusals | hit@1 |", "|---|---|---|---|---|"]  # fmt: skip
        for qs, b in result["sets"]["before"].items():
            a = result["sets"]["after"][qs]

            def pair(key: str) -> str:
                x, y = b.get(key), a.get(key)
                return "—" if x is None or y is None else f"{x:.2f} → {y:.2f}"

            lines.append(f"| `{qs}` | {pair('answer_pass')} | {pair('refusal_accuracy')} | "
                         f"{pair('false_refusal_rate')} | {pair('hit@1')} |")  # fmt: skip
    write_section("reader", "\n".join(lines))


if __name__ == "__main__":
    main()
