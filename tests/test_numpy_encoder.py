"""NumpyEncoder: same tokens and same vectors as sentence-transformers, without importing torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from rag.embed import resolve_model
from rag.numpy_encoder import NumpyEncoder
from rag.settings import DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[1]
MODEL_DIR = Path(resolve_model(DEFAULT_MODEL))

HANDWRITTEN = [
    "what tariffs does japan face?",
    "Who is Japan's prime minister?",
    "?",
    "",
    "   ",
    "“Curly quotes” and ‘single ones’ — with an em dash…",
    "naïve café résumé: Ærøskøbing, São Paulo, Zürich",
    "日本と韓国の協力について教えてください",
    "대한민국과 일본의 관계는 어떻습니까?",
    "Ωμέγα, Привет мир, مرحبا بالعالم",
    "emoji 🙂🚀 and symbols ≥ ≤ ± € £ ¥",
    "WTO WORLD COMMERCE GROUP tariffs 24% 25% $1,000,000",
    "a" * 600,  # one very long word
    "tab\tand\nnew\nlines   and  spaces",
]


def _seed_passages() -> list[str]:
    """Long paragraphs and windows from the essays, several beyond the 256-token window."""
    out = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        paragraphs = [p for p in text.splitlines() if len(p) > 200]
        out += paragraphs[:4]
        out += [text[i : i + 2500] for i in range(0, 7500, 2500)]  # ~500 tokens each: truncated
    return out


def _questions(n: int = 12) -> list[str]:
    cases = yaml.safe_load((ROOT / "tests" / "questions.yaml").read_text(encoding="utf-8"))
    return [c["question"] for c in cases][:: max(1, len(cases) // n)][:n]


TEXTS = HANDWRITTEN + _questions() + _seed_passages()


@pytest.fixture(scope="module")
def st_model():
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(MODEL_DIR), device="cpu")


@pytest.fixture(scope="module")
def encoder() -> NumpyEncoder:
    return NumpyEncoder(MODEL_DIR)


def _assert_close(ours: np.ndarray, theirs: np.ndarray) -> None:
    assert ours.dtype == np.float32 and ours.shape == theirs.shape
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosine = (ours * theirs).sum(1) / np.linalg.norm(theirs, axis=1)
    assert cosine.min() >= 0.99999, f"worst cosine {cosine.min()} for text #{int(cosine.argmin())}"
    diff = np.abs(ours - theirs).max()
    assert diff <= 1e-4, f"max abs diff {diff}"


def test_text_set_is_varied() -> None:
    assert len(TEXTS) >= 40


def test_supports_packaged_model() -> None:
    assert NumpyEncoder.supports(MODEL_DIR)


def test_token_ids_match_the_models_tokenizer(encoder: NumpyEncoder, st_model) -> None:
    truncated = 0
    for text in TEXTS:
        ours = encoder.tokenizer.encode(text).ids
        features = st_model.tokenize([text])  # exactly what SentenceTransformer.encode feeds the model
        theirs = [int(i) for i, m in zip(features["input_ids"][0], features["attention_mask"][0]) if m]
        assert ours == theirs, text[:80]
        full = st_model.tokenizer(text)["input_ids"]  # untruncated: ours is its prefix + [SEP]
        assert ours == full if len(full) <= encoder.max_seq_length else ours == full[:255] + [full[-1]]
        truncated += len(full) > encoder.max_seq_length
    assert encoder.max_seq_length == st_model.max_seq_length == 256
    assert truncated >= 5, "the text set must exercise truncation"


def test_vectors_match_sentence_transformers(encoder: NumpyEncoder, st_model) -> None:
    theirs = st_model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    _assert_close(encoder.encode(TEXTS), theirs)  # batched: padding + mask
    one_by_one = np.vstack([encoder.encode([t]) for t in TEXTS[:20]])
    _assert_close(one_by_one, theirs[:20])
    assert encoder.encode([]).shape == (0, encoder.dimension) == (0, 384)


def _model_copy(tmp_path: Path) -> Path:
    """A copy of the model folder: json files copied (to edit), everything else symlinked."""
    target = tmp_path / "model"
    for path in MODEL_DIR.rglob("*"):
        dest = target / path.relative_to(MODEL_DIR)
        if path.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".json":
            shutil.copyfile(path, dest)
        else:
            dest.symlink_to(path)
    return target


def _edit(path: Path, **changes: object) -> None:
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_the_embedding_tables_are_mapped_from_the_model_file_not_copied(encoder: NumpyEncoder) -> None:
    """47 MB a process does not own: the pages stay the model file's, shared with other processes
    (the reader reads its input through the same tables)."""
    from rag.embed import load_numpy_encoder
    from rag.read.reader import Reader

    for table in encoder.token_embeddings():
        assert not table.flags.owndata and not table.flags.writeable
        assert isinstance(table.base, np.memmap) or isinstance(getattr(table.base, "base", None), np.memmap)
    assert np.shares_memory(Reader.load()._word, load_numpy_encoder().token_embeddings()[0])  # the query encoder's


def test_supports_is_false_for_roberta(tmp_path: Path) -> None:
    folder = _model_copy(tmp_path)
    assert NumpyEncoder.supports(folder)  # the unedited copy is fine
    _edit(folder / "config.json", model_type="roberta")
    assert not NumpyEncoder.supports(folder)


@pytest.mark.parametrize(
    "pooling",
    [
        {"pooling_mode_mean_tokens": False, "pooling_mode_max_tokens": True},
        {"pooling_mode_cls_token": True},  # cls + mean at once: concatenated, not implemented
        {"pooling_mode": "weirdmean"},
    ],
)
def test_supports_is_false_for_unknown_pooling(tmp_path: Path, pooling: dict) -> None:
    folder = _model_copy(tmp_path)
    _edit(folder / "1_Pooling" / "config.json", **pooling)
    assert not NumpyEncoder.supports(folder)


@pytest.mark.parametrize(
    "config",
    [{"hidden_act": "gelu_new"}, {"position_embedding_type": "relative_key"}, {"is_decoder": True}],
)
def test_supports_is_false_for_other_bert_variants(tmp_path: Path, config: dict) -> None:
    folder = _model_copy(tmp_path)
    _edit(folder / "config.json", **config)
    assert not NumpyEncoder.supports(folder)


def test_supports_is_false_for_extra_modules_or_default_prompt(tmp_path: Path) -> None:
    folder = _model_copy(tmp_path)
    modules = json.loads((folder / "modules.json").read_text())
    dense = {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}
    modules.insert(2, dense)
    modules[-1]["idx"] = 3
    (folder / "modules.json").write_text(json.dumps(modules))
    assert not NumpyEncoder.supports(folder)
    other = _model_copy(tmp_path / "prompt")
    _edit(other / "config_sentence_transformers.json", prompts={"query": "q: "}, default_prompt_name="query")
    assert not NumpyEncoder.supports(other)
    assert not NumpyEncoder.supports(tmp_path / "no-such-folder")


def test_cls_pooling_matches_sentence_transformers(tmp_path: Path) -> None:
    from sentence_transformers import SentenceTransformer

    folder = _model_copy(tmp_path)
    _edit(folder / "1_Pooling" / "config.json", pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    assert NumpyEncoder.supports(folder)
    theirs = SentenceTransformer(str(folder), device="cpu").encode(TEXTS, normalize_embeddings=True)
    _assert_close(NumpyEncoder(folder).encode(TEXTS), theirs)


def test_import_load_and_encode_do_not_import_torch() -> None:
    script = (
        "import sys\n"
        "import rag.numpy_encoder as m\n"
        "from rag.embed import resolve_model\n"
        f"v = m.NumpyEncoder(resolve_model({DEFAULT_MODEL!r})).encode(['what tariffs does japan face?'])\n"
        "assert v.shape == (1, 384)\n"
        "heavy = [n for n in ('torch', 'transformers', 'sentence_transformers', 'scipy')"
        " if n in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("bf16", "worst"), [("0", 0.99999), ("1", 0.9999)])
def test_the_build_encoder_matches_sentence_transformers(
    st_model, monkeypatch: pytest.MonkeyPatch, bf16: str, worst: float
) -> None:
    """Index builds run the numpy encoder's model with torch (TorchEncoder): in float32 the same
    vectors as sentence-transformers, in bfloat16 within its rounding, through ``rag.embed.encode``
    (batched by tokens, padded, masked) and in the order given."""
    from rag.embed import builds_in_bf16, encode
    from rag.torch_encoder import TorchEncoder

    monkeypatch.setenv("RAG_BF16", bf16)
    builds_in_bf16.cache_clear()
    try:
        ours = encode(TorchEncoder(NumpyEncoder(MODEL_DIR)), TEXTS, batch_size=8)
    finally:
        builds_in_bf16.cache_clear()
    theirs = st_model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    if bf16 == "0":
        _assert_close(ours, theirs)
    cosine = (ours * theirs).sum(1)
    assert cosine.min() >= worst, f"worst cosine {cosine.min()} for text #{int(cosine.argmin())}"


def test_a_large_build_loads_neither_transformers_nor_sentence_transformers() -> None:
    """Importing them and loading the model through them took about 5 s of every large build,
    against 1.5 s for torch alone; another model still goes through sentence-transformers."""
    script = (
        "import sys\n"
        "from rag.embed import load_build_encoder\n"
        "from rag.torch_encoder import TorchEncoder\n"
        "from rag.embed import load_numpy_encoder\n"
        "model = load_build_encoder()\n"
        "assert isinstance(model, TorchEncoder)\n"
        "assert model._layers[0][0] is load_numpy_encoder()._layers[0][0]  # the loaded model, not a second copy\n"
        "heavy = [n for n in ('transformers', 'sentence_transformers') if n in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    off = {**os.environ, "RAG_NUMPY_ENCODER": "0"}
    code = "from rag.embed import load_build_encoder; print(type(load_build_encoder()).__name__)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=off, capture_output=True, text=True, timeout=300)
    assert done.stdout.strip().splitlines()[-1] == "SentenceTransformer", done.stderr


@pytest.mark.parametrize(("setting", "threads"), [(None, 1), ("2", 2)])
def test_a_process_that_answers_questions_bounds_numpys_blas_threads(
    index_dir: Path, setting: str | None, threads: int
) -> None:
    """Loading the query encoder bounds numpy's BLAS (RAG_QUERY_BLAS_THREADS, default 1): with
    more threads, a busy neighbour process makes every question wait (bench/RESULTS.md)."""
    code = (
        "import sys, threadpoolctl\n"
        "from rag import Retriever\n"
        "Retriever.load(sys.argv[1])\n"
        "print(max(i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("RAG_QUERY_BLAS_THREADS", "OPENBLAS_NUM_THREADS")}
    if setting is not None:
        env["RAG_QUERY_BLAS_THREADS"] = setting
    done = subprocess.run([sys.executable, "-c", code, str(index_dir)], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip().splitlines()[-1] == str(threads)


def test_a_bad_blas_thread_setting_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from rag import ModelError
    from rag.embed import bound_query_blas

    monkeypatch.setenv("RAG_QUERY_BLAS_THREADS", "many")
    bound_query_blas.cache_clear()
    try:
        with pytest.raises(ModelError, match="RAG_QUERY_BLAS_THREADS"):
            bound_query_blas()
    finally:
        bound_query_blas.cache_clear()
