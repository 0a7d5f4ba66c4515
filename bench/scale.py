"""Index and search at library scale: corpora of 100 and 1,000 essays, and 1M chunk vectors.

The essays are real text that ships with the project: the vendored SQuAD train paragraphs
(CC BY-SA 4.0, Wikipedia), grouped in article order into essays of about 5,000 characters
(1,000 essays are about 5M characters). Questions are the SQuAD questions of those
paragraphs, each asked once (distinct questions: no cache hits).

For each size, in the same run:
- build: ``rag index`` from scratch in a child process (wall time, peak RSS, index size on
  disk); baseline: one raw ``SentenceTransformer.encode`` of the same texts the build embeds
  (its sentences, its words and the chunks that hold no whole sentence: a chunk's vector is its
  sentences' mean), batched by length, in a child process;
- rebuild after changing one essay (the previous index is reused as the cache);
- warm ``search`` p50/p95 and warm ``ask`` p50 over 50 distinct questions; baseline: a flat
  FAISS top-5 over the chunk vectors for the same query vectors;
- cold ``rag ask`` in a fresh process.

Retrieval only, 1M synthetic chunk vectors (real sentence vectors of the largest corpus, each
plus noise of norm NOISE, renormalised) searched with real question vectors:
``search_index`` (IVF, nprobe tuned at build time) against exact flat search: query p50 and
recall@10 on 200 queries.

One essay of 2 MB on a single line (``--long-essay``): build time and peak RSS against one raw
encode of the texts it embeds. The query side at 5× the largest corpus (``--replicate``): its
index with the essays copied, searched and asked against the original in the same run.

    .venv/bin/python bench/scale.py [--sizes 100 1000] [--vectors 1000000] [--long-essay 2] [--replicate 5] [--keep]

``--keep`` keeps the saved rows of sizes not measured now (each row has its own same-run baselines).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out" / "scale"
ESSAY_CHARS = 5000
NOISE = 0.6  # norm of the noise added to a real sentence vector to make a synthetic chunk vector


def write_corpus(essays: int, folder: Path) -> list[str]:
    """``essays`` essays of SQuAD paragraphs under ``folder``; the questions of their paragraphs."""
    from rag.read.squad import load_articles

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    questions: list[str] = []
    written, title = 0, ""
    buffer: list[str] = []
    for article in load_articles():
        for p, paragraph in enumerate(article.paragraphs):
            if not buffer:
                title = f"{article.title} ({written + 1})"
            buffer.append(paragraph)
            questions += [q.text for q in article.questions if q.paragraph == p]
            if sum(len(b) for b in buffer) >= ESSAY_CHARS:
                (folder / f"essay-{written:05d}.md").write_text(f"# {title}\n\n" + "\n\n".join(buffer) + "\n", encoding="utf-8")
                written, buffer = written + 1, []
                if written == essays:
                    return questions
    raise ValueError(f"the vendored data holds fewer than {essays} essays of {ESSAY_CHARS} characters")


PEAK = """
def status_mib(key):  # a memory figure of this process from /proc/self/status, in MiB
    return int(dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l).get(key, "0 kB").split()[0]) / 1024
def peak_mib():  # its own high-water mark: ru_maxrss would count the bench's memory at the fork
    return status_mib("VmHWM")
"""


def child(code: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``code`` in a fresh Python; it prints one JSON line (its own peak RSS in it). Adds wall seconds."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **(env or {})},
                          capture_output=True, text=True, check=True)  # fmt: skip
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["wall_s"] = time.perf_counter() - started
    return dict(out)


BUILD = PEAK + """
import json
from rag.index.build import build_index
from rag.settings import settings_from_env
data = build_index({seeds!r}, {index!r}, settings_from_env())
print(json.dumps({{"rss": peak_mib(), **data.manifest["counts"]}}))
"""

RAW_ENCODE = PEAK + """
import json, time
import torch
from rag.embed import load_model, encode
from rag.index.store import read_index
from rag.ingest.structure import as_read
from rag.index.build import held_sentences
from rag.settings import settings_from_env
data = read_index({index!r})
texts = {{d.source: d.text for d in data.documents}}
unique = [c for c in data.chunks if c.duplicate_of is None]
whole = [c.text for c, rows in zip(unique, held_sentences(unique, list(data.sentences))) if not rows]  # as a build does
wanted = whole + [as_read(texts[s.source], s) for s in data.sentences]
model = load_model(settings_from_env().model)
started = time.perf_counter()
with torch.autocast("cpu", dtype=torch.bfloat16, enabled={bf16}):
    model.encode(sorted(wanted, key=len), batch_size=32, normalize_embeddings=True, show_progress_bar=False)
    model.encode(list(data.terms), batch_size=256, normalize_embeddings=True, show_progress_bar=False)
print(json.dumps({{"encode_s": time.perf_counter() - started, "texts": len(wanted) + len(data.terms), "chunks": len(whole),
                   "rss": peak_mib()}}))
"""

QUERIES = PEAK + """
import json, statistics, time
import numpy as np
from rag import Retriever
from rag.answer.assistant import Assistant
from rag.index.store import flat_index
questions = json.load(open({questions!r}))
r = Retriever.load({index!r}); a = Assistant(r)
r.search("warm up the caches"); a.ask("warm up the reader")
search, ask, flat = [], [], []
index = flat_index(r.data.chunk_vectors)
for q in questions[:50]:
    t = time.perf_counter(); r.search(q); search.append((time.perf_counter() - t) * 1000)
    qv = r.embed_query(q)[None, :]
    t = time.perf_counter(); index.search(qv, 5); flat.append((time.perf_counter() - t) * 1000)
for q in questions[50:100]:
    t = time.perf_counter(); a.ask(q); ask.append((time.perf_counter() - t) * 1000)
pct = lambda xs, p: float(np.percentile(xs, p))
owned = status_mib("RssAnon")  # not the mapped index files (shared page cache)
print(json.dumps({{"search_p50": pct(search, 50), "search_p95": pct(search, 95), "flat_p50": pct(flat, 50),
                   "ask_p50": pct(ask, 50), "rss": peak_mib(),
                   "owned": owned}}))
"""


def machine() -> str:
    """This machine in a few words (its CPU, cores and memory), as each row of results names it."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU")  # fmt: skip
    gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores of {cpu}, {gib:.0f} GiB"


def folder_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def cold_ask(index: Path, seeds: Path, question: str) -> float:
    env = {**os.environ, "RAG_INDEX_DIR": str(index), "RAG_SEEDS_DIR": str(seeds)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rag.cli", "-q", "ask", question], cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL, check=True)  # fmt: skip
    return time.perf_counter() - started


def raw_encodes(index: Path) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """One raw encode of the texts the index at ``index`` embeds in float32, and one in bfloat16 where
    builds run in it (rag.embed.builds_in_bf16: CPUs with AMX tiles), else None."""
    from rag.embed import builds_in_bf16

    raw = child(RAW_ENCODE.format(index=str(index), bf16=False))
    return raw, child(RAW_ENCODE.format(index=str(index), bf16=True)) if builds_in_bf16() else None


def same_precision(row: dict[str, Any]) -> dict[str, Any]:
    """The raw encode in the precision the build ran in."""
    return row.get("raw_bf16") or row["raw"]


def corpus_row(essays: int) -> dict[str, Any]:
    """Every figure for one corpus size (see module docstring)."""
    seeds, index = OUT / f"essays-{essays}", OUT / f"index-{essays}"
    questions = write_corpus(essays, seeds)
    (OUT / f"all-questions-{essays}.json").write_text(json.dumps(questions))
    questions = questions[:: max(1, len(questions) // 103)][:103]  # spread over the corpus, each asked once
    (OUT / f"questions-{essays}.json").write_text(json.dumps(questions))
    shutil.rmtree(index, ignore_errors=True)
    build = child(BUILD.format(seeds=str(seeds), index=str(index)))
    raw, raw_bf16 = raw_encodes(index)
    first = sorted(seeds.glob("*.md"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nOne sentence added to this essay.\n", encoding="utf-8")
    rebuild = child(BUILD.format(seeds=str(seeds), index=str(index)))
    queries = child(QUERIES.format(index=str(index), questions=str(OUT / f"questions-{essays}.json")))
    cold = statistics.median(cold_ask(index, seeds, q) for q in questions[100:103])
    return {"essays": essays, "run": time.strftime("%Y-%m-%d"), "machine": machine(),
            "chars": sum(p.stat().st_size for p in seeds.glob("*.md")), "build": build,
            "raw": raw, "raw_bf16": raw_bf16, "rebuild": rebuild, "queries": queries, "cold_ask_s": cold,
            "index_mib": folder_mib(index)}  # fmt: skip


def write_long_essay(megabytes: float, folder: Path) -> None:
    """One essay of ``megabytes`` MB under ``folder``: SQuAD paragraphs in article order on a single
    line (no paragraph breaks to split at), every sentence distinct."""
    from rag.read.squad import load_articles

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    wanted, parts, size = int(megabytes * 1_000_000), [], 0
    for paragraph in (p for article in load_articles() for p in article.paragraphs):
        parts.append(paragraph)
        size += len(paragraph.encode("utf-8")) + 1
        if size >= wanted:
            break
    (folder / "long-essay.md").write_text("# One long essay\n\n" + " ".join(parts) + "\n", encoding="utf-8")


def long_essay_row(megabytes: float) -> dict[str, Any]:
    """Build time and peak RSS of one essay of ``megabytes`` MB, and a raw encode of the texts it embeds."""
    seeds, index = OUT / "long-essay", OUT / "index-long-essay"
    write_long_essay(megabytes, seeds)
    shutil.rmtree(index, ignore_errors=True)
    build = child(BUILD.format(seeds=str(seeds), index=str(index)))
    raw, raw_bf16 = raw_encodes(index)
    return {"megabytes": megabytes, "bytes": (seeds / "long-essay.md").stat().st_size, "build": build, "raw": raw,
            "raw_bf16": raw_bf16,
            "run": time.strftime("%Y-%m-%d"), "machine": machine()}  # fmt: skip


def replicated_index(source: Path, target: Path, times: int) -> None:
    """The index at ``source`` with its essays ``times`` times over (copies renamed), each copy's
    vectors plus a little noise (norm 0.1): the query side of a corpus ``times`` as large, written
    in a minute instead of a day of embedding. Its text repeats, so it says nothing of builds."""
    from dataclasses import replace

    from rag.index.store import IndexData, read_index, write_index
    from rag.retrieve.tables import derive, to_stored

    data, rng = read_index(source), np.random.default_rng(0)

    def copies(vectors: np.ndarray) -> np.ndarray:
        out = np.concatenate([np.asarray(vectors)] * times)
        out += rng.standard_normal(out.shape, dtype=np.float32) * np.float32(0.1 / np.sqrt(out.shape[1]))
        return np.asarray(out / np.linalg.norm(out, axis=1, keepdims=True), dtype=np.float32)

    def name(source: str, k: int) -> str:
        return source if k == 0 else f"copy{k}-{source}"

    n = len(data.chunks)
    documents = tuple(replace(d, source=name(d.source, k)) for k in range(times) for d in data.documents)
    chunks = tuple(replace(c, id=c.id + k * n, source=name(c.source, k),
                           duplicate_of=None if c.duplicate_of is None else c.duplicate_of + k * n)
                   for k in range(times) for c in data.chunks)  # fmt: skip
    sentences = tuple(replace(s, source=name(s.source, k)) for k in range(times) for s in data.sentences)
    lexical, names = to_stored(derive(documents, [c for c in chunks if c.duplicate_of is None], sentences))
    manifest = {**data.manifest, "counts": {k: v * times for k, v in data.manifest["counts"].items()},
                "corpus": {name(s, k): h for k in range(times) for s, h in data.manifest["corpus"].items()}}  # fmt: skip
    shutil.rmtree(target, ignore_errors=True)
    write_index(target, IndexData(manifest, documents, chunks, sentences, copies(data.chunk_vectors),
                                  copies(data.sentence_vectors), data.terms, np.asarray(data.term_vectors),
                                  lexical=lexical, names=names))  # fmt: skip


def replicated_row(essays: int, times: int) -> dict[str, Any]:
    """Warm search and ask at ``times`` × ``essays`` essays (see replicated_index) against ``essays``, same run."""
    built, questions = OUT / f"index-{essays}", str(OUT / f"questions-{essays}.json")
    index = OUT / f"index-{essays}x1"  # the base written the same way, by the same code, as the copies
    replicated_index(built, index, 1)
    replicated_index(built, OUT / f"index-{essays}x{times}", times)
    runs: dict[str, list[dict[str, Any]]] = {"base": [], "replicated": []}
    for _ in range(3):  # alternately, three times each: the mapped vectors' pages come and go, so times vary
        for key, path in (("base", index), ("replicated", OUT / f"index-{essays}x{times}")):
            runs[key].append(child(QUERIES.format(index=str(path), questions=questions)))
    medians = {key: {m: statistics.median(r[m] for r in got) for m in got[0]} for key, got in runs.items()}
    return {"essays": essays, "times": times, "run": time.strftime("%Y-%m-%d"), **medians, "runs": runs}


def vectors_row(count: int) -> dict[str, Any]:
    """IVF against flat search on ``count`` synthetic chunk vectors."""
    from rag.index.store import flat_index, search_index

    base = np.load(OUT / "base-vectors.npy")
    rng = np.random.default_rng(1)
    vectors = base[rng.integers(0, len(base), size=count)]
    vectors += rng.standard_normal(vectors.shape, dtype=np.float32) * np.float32(NOISE / np.sqrt(base.shape[1]))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = np.ascontiguousarray(np.load(OUT / "query-vectors.npy")[:200])
    started = time.perf_counter()
    index, params = search_index(vectors)
    build_s = time.perf_counter() - started
    flat = flat_index(vectors)
    _, exact = flat.search(queries, 10)

    def timed(ix: Any) -> tuple[float, np.ndarray]:
        times, found = [], []
        for q in queries:
            t = time.perf_counter()
            _, rows = ix.search(q[None, :], 10)
            times.append((time.perf_counter() - t) * 1000)
            found.append(rows[0])
        return statistics.median(times), np.array(found)

    flat_ms, _ = timed(flat)
    ivf_ms, found = timed(index)
    recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact, found, strict=True)]))
    return {"vectors": count, "params": params, "build_s": build_s, "flat_p50_ms": flat_ms, "ivf_p50_ms": ivf_ms,
            "recall_at_10": recall}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--vectors", type=int, default=1_000_000)
    parser.add_argument("--long-essay", type=float, default=2.0, metavar="MB", help="one essay of this size (0: skip)")
    parser.add_argument("--replicate", type=int, default=5, metavar="N",
                        help="query side at N times the largest corpus, its essays copied (0: skip)")
    parser.add_argument("--keep", action="store_true", help="keep the saved rows of other sizes (and the vectors row)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    saved = json.loads((OUT / "results.json").read_text()) if (OUT / "results.json").is_file() else {"rows": []}
    keep = args.keep or not args.sizes  # --sizes alone: the vectors row only
    rows = [r for r in saved["rows"] if r["essays"] not in args.sizes] if keep else []
    for size in args.sizes:
        rows.append(corpus_row(size))
        print(json.dumps(rows[-1], default=float), flush=True)
    rows.sort(key=lambda r: r["essays"])
    if args.vectors and args.sizes:  # real sentence vectors of the largest corpus, and real question vectors as queries
        from rag import Retriever

        largest = Retriever.load(OUT / f"index-{max(args.sizes)}")
        np.save(OUT / "base-vectors.npy", largest.data.sentence_vectors)
        asked = json.loads((OUT / f"all-questions-{max(args.sizes)}.json").read_text())
        np.save(OUT / "query-vectors.npy", np.stack([largest.embed_query(q) for q in asked[1::7][:200]]))
    vectors = vectors_row(args.vectors) if args.vectors else saved.get("vectors") if args.keep else None
    print(json.dumps(vectors, default=float), flush=True)
    long = long_essay_row(args.long_essay) if args.long_essay else saved.get("long") if keep else None
    print(json.dumps(long, default=float), flush=True)
    biggest = max((r["essays"] for r in rows), default=0)
    copied = replicated_row(biggest, args.replicate) if args.replicate and biggest else saved.get("copied") if keep else None
    print(json.dumps(copied, default=float), flush=True)
    (OUT / "results.json").write_text(json.dumps({"rows": rows, "vectors": vectors, "long": long, "copied": copied},
                                                 default=float, indent=1))  # fmt: skip
    write(rows, vectors, long, copied)


def _seconds(raw: dict[str, Any] | None) -> str:
    """A raw encode's seconds, or a dash where it was not run."""
    return f"{raw['encode_s']:.0f}" if raw else "—"


def _owned(queries: dict[str, Any]) -> str:
    """The query process's own memory (RssAnon), or a dash for a row measured before it was."""
    return f"{queries['owned']:.0f}" if "owned" in queries else "—"


def write(rows: list[dict[str, Any]], vectors: dict[str, Any] | None, long: dict[str, Any] | None,
          copied: dict[str, Any] | None) -> None:  # fmt: skip
    from bench.results import write_section

    lines = [
        "## Scale: 100 and 1,000 essays, 1M vectors",
        "",
        "`python bench/scale.py`. Essays of about 5,000 characters made of the vendored SQuAD",
        "paragraphs; 50 distinct SQuAD questions for search, 50 others for ask. Each row has its",
        "same-run baseline: for the build, one raw `SentenceTransformer.encode` of the texts it embeds (its sentences,",
        "its words and the chunks that hold no whole sentence; sorted by length, batch 32) in float32 and, where the build runs in bfloat16 (a CPU with AMX tiles or AVX-512 BF16,",
        "`rag.embed.builds_in_bf16`), in bfloat16 too; for search, a flat FAISS top 5 over the chunk vectors. Query RSS is the",
        "query process's peak; \"owned\" is its own memory after the questions (RssAnon), without the index's",
        "memory-mapped vectors, which the page cache holds and shares between processes.",
        "",
        "| essays | characters | build (s) | raw encode, float32 (s) | raw encode, bfloat16 (s) | raw encode ÷ build, same precision | rebuild, one essay changed (s) "
        "| peak RSS build (MiB) | index (MiB) | search p50 / p95 (ms) | flat top-5 p50 (ms) | ask p50 (ms) "
        "| cold `rag ask` (s) | query RSS (MiB) | of it owned (MiB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        b, raw, q = r["build"], r["raw"], r["queries"]
        lines.append(
            f"| {r['essays']:,} | {r['chars']:,} | {b['wall_s']:.0f} | {raw['encode_s']:.0f} | "
            f"{_seconds(r.get('raw_bf16'))} | "
            f"{same_precision(r)['encode_s'] / b['wall_s']:.2f} | {r['rebuild']['wall_s']:.1f} | {b['rss']:.0f} | "
            f"{r['index_mib']:.0f} | {q['search_p50']:.1f} / {q['search_p95']:.1f} | {q['flat_p50']:.2f} | "
            f"{q['ask_p50']:.0f} | {r['cold_ask_s']:.2f} | {q['rss']:.0f} | {_owned(q)} |"
        )
    runs = sorted({f"{r['run']} on {r['machine']}" for r in rows if "machine" in r})
    if runs:
        lines += ["", "Rows run " + "; ".join(runs) + "."]
    if len(rows) >= 2:
        a, z = rows[0], rows[-1]
        factor = z["essays"] / a["essays"]
        lines += ["", f"Growth from {a['essays']:,} to {z['essays']:,} essays ({factor:.0f}×): build "
                  f"{z['build']['wall_s'] / a['build']['wall_s']:.1f}×, search p50 "
                  f"{z['queries']['search_p50'] / a['queries']['search_p50']:.1f}×, ask p50 "
                  f"{z['queries']['ask_p50'] / a['queries']['ask_p50']:.1f}×, query RSS "
                  f"{z['queries']['rss'] / a['queries']['rss']:.1f}×"
                  + (f" (owned {z['queries']['owned'] / a['queries']['owned']:.2f}×)"
                     if "owned" in a["queries"] and "owned" in z["queries"] else "")
                  + f", index size {z['index_mib'] / a['index_mib']:.1f}×."]  # fmt: skip
    if vectors:
        v = vectors
        p = v["params"]
        lines += ["", f"Retrieval only, {v['vectors']:,} synthetic chunk vectors (384-d): "
                  f"{p['kind']} (nlist {p.get('nlist')}, nprobe {p.get('nprobe')}, chosen at build time in "
                  f"{v['build_s']:.0f} s) answers in {v['ivf_p50_ms']:.1f} ms p50 against {v['flat_p50_ms']:.1f} ms "
                  f"for exact flat search ({v['ivf_p50_ms'] / v['flat_p50_ms']:.2f}×), recall@10 "
                  f"{v['recall_at_10']:.3f} on 200 SQuAD question vectors (each vector: a real sentence vector plus "
                  f"noise of norm {NOISE}, renormalised)."]  # fmt: skip
    if long:
        b, raw, same = long["build"], long["raw"], same_precision(long)
        lines += ["", f"One essay of {long['bytes'] / 1e6:.1f} MB on a single line (SQuAD paragraphs, every sentence "
                  f"distinct; `--long-essay`, run {long['run']}{' on ' + long['machine'] if 'machine' in long else ''}): built in {b['wall_s']:.0f} s at a peak RSS of {b['rss']:.0f} MiB; one raw `SentenceTransformer.encode` of the "
                  f"{raw['texts']:,} texts it embeds ({b['sentences']:,} sentences, {b['terms']:,} words and "
                  f"{raw.get('chunks', b['chunks']):,} of its {b['chunks']:,} chunks) takes {raw['encode_s']:.0f} s in float32"
                  + (f" and {same['encode_s']:.0f} s in bfloat16, as the build ran" if long.get("raw_bf16") else "")
                  + f" in the same run: the build takes {b['wall_s'] / same['encode_s']:.2f} of the raw encode in its "
                  "own precision (the build runs the same model by its own torch forward, batched by tokens, "
                  "without importing sentence-transformers), so a build of it is bound by the model."]  # fmt: skip
    if copied:
        a, z, n = copied["base"], copied["replicated"], copied["essays"] * copied["times"]
        lines += ["", f"Query side at {n:,} essays (`--replicate {copied['times']}`, run {copied['run']}): the "
                  f"{copied['essays']:,}-essay index with its essays copied {copied['times']} times (renamed; each copy's "
                  "vectors plus noise of norm 0.1), so its text repeats and it says nothing of builds. Against the "
                  f"{copied['essays']:,}-essay index copied once the same way in the same run, medians of 3 alternating runs: search p50 {a['search_p50']:.1f} → "
                  f"{z['search_p50']:.1f} ms ({z['search_p50'] / a['search_p50']:.2f}×), p95 {a['search_p95']:.1f} → "
                  f"{z['search_p95']:.1f} ms, ask p50 {a['ask_p50']:.0f} → {z['ask_p50']:.0f} ms "
                  f"({z['ask_p50'] / a['ask_p50']:.2f}×; search p50 of each run at {n:,}: "
                  + ", ".join(f"{r['search_p50']:.0f}" for r in copied["runs"]["replicated"]) + f" ms), query RSS {a['rss']:.0f} → {z['rss']:.0f} MiB, owned "
                  f"{a['owned']:.0f} → {z['owned']:.0f} MiB ({z['owned'] / a['owned']:.2f}×)."]  # fmt: skip
    write_section("scale", "\n".join(lines))


if __name__ == "__main__":
    main()
