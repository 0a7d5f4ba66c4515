"""The real `rag` console script, run as a subprocess against a copy of the session index.

Each `rag search` / `rag index` process loads the model (~5 s), so those runs are started
together once per module and each test checks its own run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from rag import Retriever

RAG = Path(sys.executable).with_name("rag")
TARIFFS = "What reciprocal tariffs do Japan and South Korea face?"
WHO = "Who is Zack Cooper?"
AREAS = "What three areas are ripe for cooperation?"
FIELDS = {"text", "source", "title", "author", "start", "end", "score", "quote", "quote_start", "quote_end"}


def squash(text: str) -> str:
    return " ".join(text.split())


def run(
    args: list[str], env: dict[str, str], cwd: Path, stdin: str | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(RAG), *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )


def assert_one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("rag: error:"), lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def cli_env(index_dir: Path, seeds_dir: Path, workdir: Path) -> dict[str, str]:
    assert RAG.is_file(), f"console script not installed next to {sys.executable}"
    index = workdir / "index"
    shutil.copytree(index_dir, index)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(
        RAG_INDEX_DIR=str(index),
        RAG_SEEDS_DIR=str(seeds_dir),
        RAG_DATA_DIR=str(workdir / "data"),
        NO_COLOR="1",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        PYTHONIOENCODING="utf-8",
    )
    return env


@pytest.fixture(scope="module")
def runs(cli_env: dict[str, str], workdir: Path, seeds_dir: Path):
    """The slow runs (each loads the model), started in parallel; tests wait for their own."""
    seeds = workdir / "seeds-copy"
    shutil.copytree(seeds_dir, seeds)
    (seeds / "minutes.pdf").write_bytes(b"%PDF-1.4 not really")  # skipped, and the summary says so
    jobs = {
        "json": (["search", TARIFFS, "--json", "-k", "3"], None),
        "interactive": (["search", "-k", "2"], f"{TARIFFS}\n{WHO}\n"),
        "conversation": (["ask"], f"{AREAS}\n{AREAS}\n?!?\nand the second one?\n"),
        "empty": (["search", ""], None),
        "index": (["index", str(seeds), "--index-dir", str(workdir / "new-index")], None),
    }
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures: dict[str, Future] = {
            name: pool.submit(run, args, cli_env, workdir, stdin) for name, (args, stdin) in jobs.items()
        }
        yield futures


def test_help_lists_every_command(cli_env: dict[str, str], workdir: Path) -> None:
    proc = run(["--help"], cli_env, workdir)

    assert proc.returncode == 0, proc.stderr
    for command in ("index", "search", "ask", "serve", "eval"):
        assert re.search(rf"^\s+{command}\b", proc.stdout, re.MULTILINE), command


def test_search_json_has_contract_fields(runs, retriever: Retriever, seeds_dir: Path) -> None:
    proc = runs["json"].result()
    assert proc.returncode == 0, proc.stderr

    rows = json.loads(proc.stdout)

    assert isinstance(rows, list) and len(rows) == 3
    for row in rows:
        assert FIELDS <= set(row), set(row)
        text = (seeds_dir / row["source"]).read_bytes().decode("utf-8-sig")
        assert text[row["start"] : row["end"]] == row["text"]
        assert text[row["quote_start"] : row["quote_end"]] == row["quote"]
    expected = retriever.search(TARIFFS, k=3)
    assert [(r["source"], r["start"], r["quote_start"]) for r in rows] == [
        (p.source, p.start, p.quote_start) for p in expected
    ]
    assert "24% and 25%" in rows[0]["quote"]


def test_interactive_search_reads_questions_until_eof_and_prints_readable_results(
    runs, retriever: Retriever
) -> None:
    proc = runs["interactive"].result()
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr

    out = proc.stdout
    ranks = re.findall(r"^(?:search> )*(\d+)\. \[(\d+\.\d{3})\] (.+)$", out, re.MULTILINE)
    assert [r[0] for r in ranks] == ["1", "2", "1", "2"], out  # two questions, k=2 each
    tariffs, who = retriever.search(TARIFFS, k=2), retriever.search(WHO, k=2)
    for (_, score, byline), passage in zip(ranks, tariffs + who):
        assert byline.startswith(passage.title)
        assert float(score) == pytest.approx(passage.score, abs=1e-3)
    flat = squash(out)
    assert squash(tariffs[0].quote) in flat
    assert squash(who[0].quote) in flat


def test_ask_without_a_question_holds_a_conversation_whose_follow_ups_read_earlier_answers(runs) -> None:
    proc = runs["conversation"].result()
    assert proc.returncode == 0, proc.stderr

    flat = squash(proc.stdout)
    assert "preventing economic coercion" in flat  # the list, then its second item on its own
    assert "Second on the list should be extended deterrence coordination" in flat, proc.stdout
    assert "no earlier answer" not in flat, proc.stdout  # without the history, "and the second one?" has none
    # a question with no words is refused on its own line, and the conversation goes on
    assert proc.stderr.splitlines() == ["rag: the question has no words in it: type a question about the essays"], (
        proc.stderr  # piped in: no prompts or banner on stderr (walk-through 32 saw "ask> ask> ..." with 2>&1)
    )
    # read from a pipe, each question heads its answer, so a saved transcript says what was asked
    asked = re.findall(r"^ask> (.+)$", proc.stdout, re.MULTILINE)
    assert asked == [AREAS, AREAS, "?!?", "and the second one?"], asked
    # the same passage as the answer before is named, not printed again
    assert proc.stdout.count("Three areas are ripe for cooperation: preventing") == 3, proc.stdout  # 2 answers, 1 passage
    assert proc.stdout.count("(the passage shown above)") == 1, proc.stdout


def test_empty_question_exits_1_with_one_line_error(runs) -> None:
    line = assert_one_line_error(runs["empty"].result())

    assert "empty" in line


def test_index_on_empty_folder_exits_1_with_one_line_error(
    cli_env: dict[str, str], workdir: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty-seeds"
    empty.mkdir()

    proc = run(["index", str(empty), "--index-dir", str(tmp_path / "idx")], cli_env, workdir)

    line = assert_one_line_error(proc)
    assert str(empty) in line


def test_index_takes_the_folder_as_the_other_commands_name_it(cli_env: dict[str, str], workdir: Path, tmp_path: Path) -> None:
    """`rag index --seeds-dir FOLDER` was refused ("unrecognized arguments"), unlike every other command."""
    empty = tmp_path / "empty-seeds"
    empty.mkdir()
    proc = run(["index", "--seeds-dir", str(empty), "--index-dir", str(tmp_path / "idx")], cli_env, workdir)
    assert str(empty) in assert_one_line_error(proc)  # read that folder (and found it empty)


def test_output_cut_short_by_the_reader_ends_quietly(cli_env: dict[str, str], workdir: Path) -> None:
    """`rag search ... | head` ended with "rag: error: Broken pipe" and exit 1."""
    proc = subprocess.Popen([str(RAG), "search", TARIFFS, "-k", "10"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=cli_env, cwd=workdir)  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line
    assert proc.stderr.read() == b"" and proc.wait(60) == 141


@pytest.mark.parametrize("command", [["ask", TARIFFS], ["search", TARIFFS], ["eval", "tests/questions.yaml"]])
def test_a_named_seeds_folder_that_does_not_exist_exits_1(cli_env: dict[str, str], workdir: Path, command) -> None:
    """The index exists, but the essays folder the user named does not: say so, do not answer."""
    target = [str(Path(__file__).resolve().parents[1] / command[1])] if command[0] == "eval" else command[1:]
    proc = run([command[0], *target, "--seeds-dir", "no-such-folder"], cli_env, workdir)
    line = assert_one_line_error(proc)
    assert "'no-such-folder' does not exist" in line
    proc = run([command[0], *target], {**cli_env, "RAG_SEEDS_DIR": "no-such-folder"}, workdir)
    assert "'no-such-folder' does not exist" in assert_one_line_error(proc)


def test_without_a_named_seeds_folder_an_index_alone_still_answers(cli_env: dict[str, str], workdir: Path) -> None:
    env = {k: v for k, v in cli_env.items() if k != "RAG_SEEDS_DIR"}  # default `seeds`, absent in workdir
    proc = run(["search", TARIFFS, "-k", "1"], env, workdir)
    assert proc.returncode == 0, proc.stderr
    assert "24%" in proc.stdout


def test_index_builds_an_index_and_prints_a_summary(runs, workdir: Path) -> None:
    seeds, index = workdir / "seeds-copy", workdir / "new-index"

    proc = runs["index"].result()

    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    summary = proc.stdout.strip()
    assert re.search(r"indexed 2 essays", summary), summary
    assert "skipped 1 file it could not read: minutes.pdf" in summary, summary  # not only a warning on stderr
    assert "cooper-korea-japan-new-chapter.txt: “" in summary and " by Zack Cooper" in summary, summary  # to check each file's metadata
    assert re.search(r"\d+ chunks", summary) and re.search(r"\d+ sentences", summary), summary
    # stderr is a pipe here, not a terminal: progress comes as log lines, the last one at 100%
    assert re.search(r"rag: embedding [\d,]+/[\d,]+ texts \(100%, terms\), \d+/s in [\d.]+ s", proc.stderr), proc.stderr
    assert "embedded" in proc.stderr and "reused 0 vectors" in proc.stderr
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["corpus"]) >= {p.name for p in seeds.glob("*.txt")}
    assert Retriever.load(index).search(TARIFFS, k=1)[0].source == "govella-japan-south-korea-cooperation.txt"


def test_a_passage_is_printed_as_the_essay_lays_it_out() -> None:
    """Headings and list items keep lines of their own and paragraphs an empty line between them
    (a user saw "## The planetary encounters" run into the text); the quote is marked."""
    from rag.console import highlight
    from rag.types import Passage

    text = ("The tank held molasses.\nIt leaked.\n\n## The court case\n\nThe report listed causes:\n\n"
            "- the walls were too thin;\n- nobody tested it.\n\nUSIA paid.")  # fmt: skip
    start = text.index("the walls")
    end = start + len("the walls were too thin;")
    shown = highlight(Passage(text, "a.md", "A", None, 100, 100 + len(text), 1.0, text[start:end],
                              100 + start, 100 + end), colour=False)  # fmt: skip
    assert shown.splitlines() == [
        "    The tank held molasses. It leaked.", "", "    ## The court case", "", "    The report listed causes:", "",
        "    - **the walls were too thin;**", "    - nobody tested it.", "", "    USIA paid.",
    ]


@pytest.fixture()
def kiln_folder(cli_env: dict[str, str], tmp_path: Path, seeds_dir: Path) -> tuple[Path, dict[str, str]]:
    """tmp_path with seeds/ (the seed essays) and mine/ (one essay on kilns), and an environment
    that names neither folder nor index."""
    shutil.copytree(seeds_dir, tmp_path / "seeds")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "kilns.md").write_text("# Kilns\n\nBy Ada Vale\n\nThe first tunnel kiln at Larch Mill was fired in 1911 "
                                   "by the potter Edwin Hale.\n", encoding="utf-8")  # fmt: skip
    return mine, {k: v for k, v in cli_env.items() if k not in ("RAG_INDEX_DIR", "RAG_SEEDS_DIR")}


def test_commands_use_the_folder_the_index_was_built_from(kiln_folder: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """`rag index FOLDER`, then `rag ask` with no folder named, in a directory that has a seeds/
    folder: the answer comes from FOLDER, and the index is not rebuilt from seeds/ (a newcomer
    saw their essays dropped)."""
    mine, env = kiln_folder
    built = run(["index", "mine"], env, tmp_path)
    assert built.returncode == 0, built.stderr
    manifest = (tmp_path / "index" / "manifest.json").read_text(encoding="utf-8")
    asked = run(["ask", "Who fired the first tunnel kiln at Larch Mill?"], env, tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert "Edwin Hale" in asked.stdout and "dropped" not in asked.stderr, asked.stderr
    assert (tmp_path / "index" / "manifest.json").read_text(encoding="utf-8") == manifest  # not rebuilt
    named = run(["ask", "--seeds-dir", "seeds", "What reciprocal tariffs do Japan and South Korea face?"], env, tmp_path)
    assert named.returncode == 0 and "24%" in named.stdout, named.stderr  # a folder named still wins


def test_an_index_whose_essays_folder_is_gone_answers_as_it_is(kiln_folder: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    """The folder `rag index FOLDER` read was moved away while ./seeds holds other essays: `rag
    ask` rebuilt the index from seeds/ and dropped every essay (an operator's finding). It now
    answers from the index with a warning; once seeds/ holds the same essays (the project was
    moved), it is used without a word."""
    mine, env = kiln_folder
    assert run(["index", "mine"], env, tmp_path).returncode == 0
    manifest = (tmp_path / "index" / "manifest.json").read_text(encoding="utf-8")
    mine.rename(tmp_path / "elsewhere")
    asked = run(["ask", "Who fired the first tunnel kiln at Larch Mill?"], env, tmp_path)
    assert asked.returncode == 0 and "Edwin Hale" in asked.stdout, asked.stderr
    assert f"the essays folder the index was built from, {str(mine)!r}, is missing" in asked.stderr, asked.stderr
    assert (tmp_path / "index" / "manifest.json").read_text(encoding="utf-8") == manifest  # not rebuilt
    shutil.rmtree(tmp_path / "seeds")
    (tmp_path / "elsewhere").rename(tmp_path / "seeds")
    asked = run(["ask", "Who fired the first tunnel kiln at Larch Mill?"], env, tmp_path)
    assert asked.returncode == 0 and "Edwin Hale" in asked.stdout and "missing" not in asked.stderr, asked.stderr
    assert (tmp_path / "index" / "manifest.json").read_text(encoding="utf-8") == manifest


def test_a_passage_cited_twice_is_printed_once_with_both_quotes_marked() -> None:
    """A list answer quoting four items of one passage printed that passage four times."""
    from rag.answer.render import answer_to_text
    from rag.types import Answer, Citation, Passage

    text = "Causes:\n\n- thin walls;\n- no tests.\n"
    passage = Passage(text, "a.md", "A", None, 0, len(text), 1.0, "thin walls;", 11, 22)
    cites = tuple(Citation(n, passage, q, text.index(q), text.index(q) + len(q)) for n, q in ((1, "thin walls;"), (2, "no tests.")))
    shown = answer_to_text(Answer("- “thin walls;” [1]\n- “no tests.” [2]", cites, refused=False, question="q"), colour=False)
    assert shown.count("[1][2] A (a.md:0-") == 1 and shown.count("Causes:") == 1, shown
    assert "    - **thin walls;**\n    - **no tests.**" in shown, shown


def test_a_table_is_printed_row_by_row() -> None:
    """A newcomer saw a table reflowed into one line ("| Year | … | |---|---| | 2016 | 0 |")."""
    from rag.console import highlight
    from rag.types import Passage

    text = "Counts:\n\n| Year | Salmon |\n|---|---|\n| 2016 | 0 |\n| 2022 | 71 |\n"
    start = text.index("2022 | 71")
    shown = highlight(Passage(text, "a.md", "A", None, 0, len(text), 1.0, "2022 | 71", start, start + 9), colour=False)
    assert shown.splitlines()[2:] == ["    | Year | Salmon |", "    |---|---|", "    | 2016 | 0 |", "    | **2022 | 71** |"]


def test_loading_the_model_prints_no_progress_bar(cli_env: dict[str, str]) -> None:
    """transformers drew a "Loading weights: 100%" bar on stderr at every load (seen by a developer)."""
    code = "from rag.embed import load_model; load_model()"
    done = subprocess.run([sys.executable, "-c", code], env=cli_env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Loading weights" not in done.stderr and "it/s" not in done.stderr, done.stderr
