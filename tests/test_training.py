"""training/train_reader.py on a tiny folder of real SQuAD articles: a run that is stopped and
resumed ends where an unstopped run ends, and int8 shipping is measured as shipped."""

from __future__ import annotations

import json
import lzma
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag.read.squad import load_articles

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT / "training" / "train_reader.py"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """reader_data.py's folder for two training articles and two held-out ones, with one layer."""
    sys.path.insert(0, str(ROOT / "training"))
    import reader_data  # type: ignore[import-not-found]

    out = tmp_path_factory.mktemp("reader-data")
    reader_data.write_folder(out, [a for a in load_articles() if a.index in (0, 1, 4, 13)], layers=1)
    return out


def _run(folder: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """train_reader.py on ``folder`` into ``out``: 2 epochs of batches of 8, 3 questions an article."""
    command = [sys.executable, str(TRAIN), str(folder), str(out), "--epochs", "2", "--batch", "8", "--limit", "3"]
    return subprocess.run([*command, *extra], capture_output=True, text=True, timeout=600)


def _train(folder: Path, out: Path, *extra: str) -> str:
    done = _run(folder, out, *extra)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_a_stopped_run_resumed_from_its_checkpoint_ends_with_the_unstopped_runs_weights(
    folder: Path, tmp_path: Path
) -> None:
    """Stopped in its second epoch and resumed (--resume): AdamW's moments, the schedule, the batch
    order and dropout's random state all come back, so the weights are the very same; a
    checkpoint is one safetensors file (no pickle)."""
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    import train_reader  # type: ignore[import-not-found]  # training/ is on the path (the folder fixture)

    _train(folder, tmp_path / "straight")
    stopped = tmp_path / "stopped"
    _train(folder, stopped, "--max-steps", "9")
    halfway = load_file(str(stopped / "reader.safetensors"))
    assert train_reader.checkpoint_path(folder, stopped).is_file()  # in the data folder, not beside the weights
    assert sorted(p.name for p in stopped.iterdir()) == ["reader.json", "reader.safetensors", "training.json"]
    assert "going on from" in _train(folder, stopped, "--resume")
    straight, resumed = (load_file(str(d / "reader.safetensors")) for d in (tmp_path / "straight", stopped))
    assert straight.keys() == resumed.keys()
    assert all(torch.equal(straight[k], resumed[k]) for k in straight)
    assert not all(torch.equal(straight[k], halfway[k]) for k in straight)  # it did go on
    log = json.loads((stopped / "training.json").read_text())
    assert [e["epoch"] for e in log["epochs"]] == [0, 1]  # the log goes on from the checkpoint: no stop in it
    assert "going on from" in _train(folder, stopped, "--resume")  # a finished run is not run again
    assert all(torch.equal(straight[k], v) for k, v in load_file(str(stopped / "reader.safetensors")).items())
    other = _run(folder, stopped, "--lr", "1e-4", "--resume")
    assert other.returncode == 2 and "another recipe" in other.stderr


def test_measure_last_measures_and_ships_only_the_finished_run(folder: Path, tmp_path: Path) -> None:
    """--measure-last (for runs longer than a session on a CPU, where each measurement costs 20-40
    minutes): a stop leaves only the checkpoint, and the resumed run measures and ships once, at its
    last epoch; the option may be added when resuming a run begun without it."""
    pytest.importorskip("torch")
    out = tmp_path / "out"
    _train(folder, out, "--max-steps", "3")  # begun without it
    measured = json.loads((out / "training.json").read_text())["epochs"]
    assert len(measured) == 1  # a stop is measured by default
    _train(folder, out, "--max-steps", "9", "--resume", "--measure-last")
    assert json.loads((out / "training.json").read_text())["epochs"] == measured  # stopped again: not measured
    _train(folder, out, "--resume", "--measure-last")
    log = json.loads((out / "training.json").read_text())["epochs"]
    assert [e["epoch"] for e in log] == [1]  # only the last epoch's (a stop's figures never join the run's log)
    assert (out / "reader.safetensors").is_file()


def test_int8_shipping_is_measured_as_it_ships(folder: Path, tmp_path: Path) -> None:
    """--start DIR --epochs 0 --int8: the weights rounded to int8 (a scale per row), about half the
    size, with held-out figures of the rounded model and the unrounded ones kept beside them."""
    pytest.importorskip("torch")
    _train(folder, tmp_path / "float16", "--max-steps", "3")
    _train(folder, tmp_path / "int8", "--start", str(tmp_path / "float16"), "--epochs", "0", "--int8")
    sizes = [(tmp_path / d / "reader.safetensors").stat().st_size for d in ("float16", "int8")]
    assert sizes[1] < 0.7 * sizes[0]
    card = json.loads((tmp_path / "int8" / "reader.json").read_text())
    assert card["precision"].startswith("int8") and card["trained"]["epochs"] == 1
    last = json.loads((tmp_path / "int8" / "training.json").read_text())["epochs"][-1]
    assert last["before_rounding"]["test"]["questions"] == last["test"]["questions"] > 0


def test_the_device_script_trains_from_the_carried_weights_alone(folder: Path, tmp_path: Path) -> None:
    """training/on_device.sh, as a lent GPU machine runs it: given the base weights and tokenizer
    alone (the articles would take the carry past its 64 MiB), it writes every article there from
    the vendored SQuAD, then trains and ships with train_reader.py's options."""
    pytest.importorskip("torch")
    carried = tmp_path / "carried"
    carried.mkdir()
    for name in ("base.safetensors", "base.json", "tokenizer.json"):
        shutil.copy(folder / name, carried / name)
    command = ["sh", str(ROOT / "training" / "on_device.sh"), str(carried), str(tmp_path / "out"),
               "--epochs", "1", "--batch", "8", "--limit", "1", "--max-steps", "2", "--int8"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, "PYTHON": sys.executable},
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    articles = json.loads(lzma.decompress((carried / "articles.json.xz").read_bytes()))
    assert len(articles) == len(load_articles())  # every article, not the fixture's four
    card = json.loads((tmp_path / "out" / "reader.json").read_text())
    assert card["layers"] == 1 and card["precision"].startswith("int8")
    assert json.loads((tmp_path / "out" / "training.json").read_text())["epochs"][-1]["steps"] == 2
