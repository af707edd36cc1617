"""Tests of llamalog.detectors: the autoencoder detector on both backends."""

from __future__ import annotations

import dataclasses
import json
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import llamalog
from llamalog.detectors import Autoencoder, SequenceModel
from llamalog.detectors import _backend as backend_mod
from llamalog.errors import LlamalogWarning, MissingDependencyError, NotFittedError

ROOT = Path(__file__).resolve().parents[1]
HDFS = ROOT / "datasets" / "hdfs_sessions.log"

SMALL = {"hidden": (16, 4), "epochs": 20, "batch_size": 32, "learning_rate": 1e-2}


def _backends() -> list:
    def mlx_backend():
        pytest.importorskip("mlx.core")
        return "mlx"

    return [pytest.param(lambda: "numpy", id="numpy"), pytest.param(mlx_backend, id="mlx")]


def synthetic(seed: int = 0):
    """Normal windows follow three count profiles (scaled 1-3×); six planted anomalies.

    Returns the count matrix (CSR), the anomalous rows and the column planted in each.
    """
    rng = np.random.default_rng(seed)
    d = 20
    profiles = np.zeros((3, d))
    profiles[0, [0, 1, 2, 3, 4]] = [5, 3, 2, 1, 4]
    profiles[1, [5, 6, 7, 8, 9]] = [2, 2, 6, 1, 3]
    profiles[2, [0, 10, 11, 12, 13]] = [1, 4, 4, 2, 2]
    n = 600
    kind = rng.integers(0, 3, n)
    X = profiles[kind] * rng.integers(1, 4, n)[:, None]
    rows = rng.choice(n, 6, replace=False)
    planted = []
    for j, r in enumerate(rows):
        if j < 3:  # an extra event type never seen in normal windows
            col = 15 + j
            X[r, col] = 2
        else:  # a missing event type
            col = int(np.flatnonzero(X[r])[1 + j % 3])
            X[r, col] = 0
        planted.append(col)
    return sp.csr_matrix(X), rows, np.array(planted)


@pytest.mark.parametrize("get_backend", _backends())
def test_planted_anomalies_rank_top(get_backend):
    backend = get_backend()
    X, rows, planted = synthetic()
    det = Autoencoder(**SMALL, backend=backend, threshold_quantile=0.99)
    assert det.fit(X) is det
    assert det.backend_ == backend
    scores = det.decision_function(X)
    assert scores.shape == (X.shape[0],) and scores.dtype == np.float64
    top = np.argsort(-scores)[: int(0.02 * X.shape[0])]
    assert set(rows.tolist()) <= set(top.tolist())
    flags = det.predict(X)
    assert flags[rows].all()
    assert flags.sum() <= int(np.ceil(0.01 * X.shape[0])) + 1
    assert set(np.unique(flags)) <= {0, 1}
    ids = det.explain(X[rows], top=3)
    assert ids.shape == (len(rows), 3)
    for r, col, row_ids in zip(rows, planted, ids, strict=True):
        assert col in row_ids, (r, col, row_ids)
    # the extra event is the strongest contribution
    assert (ids[:3, 0] == planted[:3]).all()


@pytest.mark.parametrize("get_backend", _backends())
def test_reproducible_and_save_load(get_backend, tmp_path):
    backend = get_backend()
    X, _, _ = synthetic(1)
    det = Autoencoder(**SMALL, backend=backend, random_state=3).fit(X)
    again = Autoencoder(**SMALL, backend=backend, random_state=3).fit(X)
    scores = det.decision_function(X)
    np.testing.assert_array_equal(scores, again.decision_function(X))
    folder = det.save(tmp_path / "model")
    assert sorted(p.name for p in folder.iterdir()) == ["params.json", "weights.npz"]
    meta = json.loads((folder / "params.json").read_text())
    assert meta["format"] == "llamalog-detector" and meta["class"] == "Autoencoder"
    assert meta["params"]["hidden"] == [16, 4] and meta["state"]["backend_"] == backend
    assert len(meta["state"]["idf_"]) == X.shape[1]
    loaded = Autoencoder.load(folder)
    assert loaded.backend_ == backend and loaded.threshold_ == det.threshold_
    assert loaded.get_params() == det.get_params()
    np.testing.assert_array_equal(loaded.decision_function(X), scores)
    np.testing.assert_array_equal(loaded.predict(X), det.predict(X))
    with np.load(folder / "weights.npz", allow_pickle=False) as npz:
        assert set(npz.files) == {f"{k}{i}" for k in "Wb" for i in range(4)}


@pytest.mark.parametrize("normalize", ["l2", None])
def test_other_normalisations_and_dense_input(normalize, tmp_path):
    X, _, _ = synthetic(2)
    dense = X.toarray()
    det = Autoencoder(**SMALL, normalize=normalize, backend="numpy").fit(dense)
    scores = det.decision_function(dense)
    np.testing.assert_allclose(det.decision_function(X), scores, rtol=1e-6)
    assert np.isfinite(scores).all() and det.idf_ is None
    loaded = Autoencoder.load(det.save(tmp_path / "m"))
    np.testing.assert_array_equal(loaded.decision_function(dense), scores)


def test_not_fitted_and_wrong_columns(tmp_path):
    X, _, _ = synthetic()
    det = Autoencoder(**SMALL, backend="numpy")
    for call in (det.decision_function, det.predict, det.explain):
        with pytest.raises(NotFittedError, match="fit"):
            call(X)
    with pytest.raises(NotFittedError):
        det.save(tmp_path / "m")
    det.fit(X)
    with pytest.raises(ValueError, match=r"has 19 columns .* fitted on 20"):
        det.decision_function(X[:, :19])
    with pytest.raises(ValueError, match="normalize"):
        Autoencoder(normalize="l1").fit(X)
    with pytest.raises(ValueError, match="backend"):
        Autoencoder(backend="torch").fit(X)
    for bad in ({"epochs": 2.5}, {"batch_size": 0}, {"patience": True}):
        with pytest.raises(ValueError, match="must be a positive int"):
            Autoencoder(**bad).fit(X)
    for bad, what in (({"validation": 1.0}, "validation"), ({"learning_rate": 0}, "learning_rate")):
        with pytest.raises(ValueError, match=what):
            Autoencoder(**bad).fit(X)


def test_auto_falls_back_to_numpy_and_warns_once(monkeypatch):
    def missing(name, *, extra):
        raise MissingDependencyError(f"{name!r} could not be imported")

    monkeypatch.setattr(backend_mod, "import_optional", missing)
    monkeypatch.setattr(backend_mod, "_FALLBACK_WARNED", False)
    X, _, _ = synthetic()
    opts = {**SMALL, "epochs": 2}
    with pytest.warns(LlamalogWarning, match="numpy implementation"):
        det = Autoencoder(**opts).fit(X)
    assert det.backend_ == "numpy"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Autoencoder(**opts).fit(X).backend_ == "numpy"
    with pytest.raises(MissingDependencyError):
        Autoencoder(**opts, backend="mlx").fit(X)


def test_hdfs_windows(tmp_path):
    frame = llamalog.read_logs(
        str(HDFS), format="<Date> <Time> <Pid> <Level> <Component>: <Content>"
    )
    frame = llamalog.add_templates(frame)
    win = llamalog.windows(frame, event="template_id", session=r"blk_-?\d+")
    half = len(win) // 2
    train, test = win.counts[:half], win.counts[half:]
    det = Autoencoder(hidden=(16, 4), epochs=10, backend="numpy")
    det.fit(dataclasses.replace(win, counts=train))
    np.testing.assert_array_equal(det.vocabulary_, win.vocabulary)
    scores = det.decision_function(test)
    assert scores.shape == (len(win) - half,)
    assert np.isfinite(scores).all() and (scores >= 0).all()
    ids = det.explain(test, top=2)
    assert ids.shape == (len(win) - half, 2) and np.isin(ids, win.vocabulary).all()
    assert det.predict(win).shape == (len(win),)
    loaded = Autoencoder.load(det.save(tmp_path / "hdfs"))
    np.testing.assert_array_equal(loaded.vocabulary_, win.vocabulary)
    np.testing.assert_array_equal(loaded.decision_function(test), scores)


def test_auto_picks_mlx_only_where_a_gpu_pays(monkeypatch):
    pytest.importorskip("mlx.core")
    backend_mod.load_mlx()
    monkeypatch.setattr(backend_mod, "gpu_kind", lambda mx: None)
    # on CPU numpy wins whatever BLAS MLX is bound to
    for optimized in (False, True):
        monkeypatch.setitem(backend_mod._BLAS, "optimized", optimized)
        assert backend_mod.resolve_backend("auto", what="test") == "numpy"
    assert backend_mod.resolve_backend("mlx", what="test") == "mlx"
    monkeypatch.setattr(backend_mod, "gpu_kind", lambda mx: "metal")
    assert backend_mod.resolve_backend("auto", what="test", cuda_ok=False) == "mlx"
    monkeypatch.setattr(backend_mod, "gpu_kind", lambda mx: "cuda")
    assert backend_mod.resolve_backend("auto", what="test") == "mlx"
    assert backend_mod.resolve_backend("auto", what="test", cuda_ok=False) == "numpy"
    assert backend_mod.resolve_backend("numpy", what="test") == "numpy"


def test_models_ask_for_the_gpu_by_batch_size(monkeypatch):
    pytest.importorskip("mlx.core")
    monkeypatch.setattr(backend_mod, "gpu_kind", lambda mx: "cuda")
    X, _, _ = synthetic()
    small = Autoencoder(**{**SMALL, "batch_size": 32}).fit(X)
    large = Autoencoder(**{**SMALL, "batch_size": 1024}).fit(X)
    assert (small.backend_, large.backend_) == ("numpy", "mlx")
    sessions = [np.array([1, 2, 3, 4] * 3)] * 30
    kw = {"history": 3, "epochs": 2, "hidden": 8}
    assert SequenceModel(**kw, batch_size=64).fit(sessions).backend_ == "numpy"
    assert SequenceModel(**kw, batch_size=256).fit(sessions).backend_ == "mlx"


def test_gpu_kind_matches_mlx_default_device():
    mx = pytest.importorskip("mlx.core")
    backend_mod.load_mlx()
    assert (backend_mod.gpu_kind(mx) is not None) == (mx.default_device() == mx.gpu)


def test_describe_takes_templates_as_mapping_series_or_frame():
    X, _, _ = synthetic()
    det = Autoencoder(**SMALL, backend="numpy").fit(X)
    top = int(det.explain(X[[0]], top=1)[0, 0])
    text = f"template number {top}"
    forms = (
        {top: text},
        pd.Series({top: text}),
        pd.DataFrame({"template_id": [top, top], "template": [text, text]}),
    )
    for templates in forms:
        assert f'"{text}"' in det.describe(X, [0], templates=templates)[0]
    with pytest.raises(ValueError, match="template_id"):
        det.describe(X, [0], templates=pd.DataFrame({"x": [1]}))


def _blas_in_child(env_value: str | None) -> dict:
    import os
    import subprocess
    import sys

    env = dict(os.environ)
    env.pop("LLAMALOG_BLAS", None)
    if env_value is not None:
        env["LLAMALOG_BLAS"] = env_value
    code = (
        "import json, warnings, numpy as np\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    from llamalog.detectors._backend import blas_info, load_mlx\n"
        "    mx = load_mlx()\n"
        "a = np.random.default_rng(0).standard_normal((64, 64)).astype(np.float32)\n"
        # the CPU stream: the binding is about CPU products (a GPU would run this too)
        "prod = mx.matmul(mx.array(a), mx.array(a), stream=mx.cpu)\n"
        "err = float(np.abs(np.array(prod) - a @ a).max())\n"
        "print(json.dumps({**blas_info(), 'err': err, 'warned': [str(x.message) for x in w]}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_mlx_blas_binding():
    pytest.importorskip("mlx.core")
    none = _blas_in_child("none")
    assert none["optimized"] is False and none["err"] < 1e-3
    bad = _blas_in_child("/nonexistent/libblas.so")
    assert bad["optimized"] is False and any("could not load" in m for m in bad["warned"])
    from importlib import metadata

    try:
        metadata.distribution("mkl")
    except metadata.PackageNotFoundError:
        return  # the default binding needs the mkl wheel (llamalog[fast])
    mkl = _blas_in_child(None)
    assert mkl["optimized"] is True and mkl["blas"] == "oneMKL" and mkl["err"] < 1e-3


# -- saved detectors: atomic saves, and every load checks what it reads ----------------------
def _big_model(seed: int) -> Autoencoder:
    """An autoencoder with a few MB of weights, so that a save takes a while."""
    X = np.random.default_rng(seed).poisson(2.0, size=(64, 600)).astype(float)
    return Autoencoder(hidden=(512, 64), epochs=1, backend="numpy", random_state=seed).fit(X)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")
def test_a_save_killed_at_any_moment_leaves_a_loadable_model(tmp_path):
    import multiprocessing as mp
    import signal
    import time

    models = [_big_model(0), _big_model(1)]
    folder = tmp_path / "model"
    models[0].save(folder)
    ctx = mp.get_context("fork")
    rng = np.random.default_rng(0)

    def save_forever(started):
        started.set()
        while True:
            for m in models[::-1]:
                m.save(folder)

    for _ in range(15):
        started = ctx.Event()
        child = ctx.Process(target=save_forever, args=(started,))
        child.start()
        assert started.wait(30)
        time.sleep(rng.uniform(0.0, 0.1))
        os.kill(child.pid, signal.SIGKILL)
        child.join(30)
        loaded = Autoencoder.load(folder)  # the old model or the new one, never a mix
        assert any(np.array_equal(loaded.weights_[0], m.weights_[0]) for m in models)
        assert any(np.array_equal(loaded.weights_[-1], m.weights_[-1]) for m in models)
    models[1].save(folder)  # leftovers of killed saves are cleared
    assert sorted(p.name for p in folder.iterdir()) == ["params.json", "weights.npz"]
    np.testing.assert_array_equal(Autoencoder.load(folder).weights_[0], models[1].weights_[0])


@pytest.fixture(scope="module")
def saved_ae(tmp_path_factory):
    X, _, _ = synthetic(1)
    det = Autoencoder(**SMALL, backend="numpy").fit(X)
    return det, det.save(tmp_path_factory.mktemp("ae") / "model")


def _copy(folder: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(folder, tmp_path / "copy"))


def _craft(folder: Path, *, meta=None, state=None, arrays=None, raw_weights=None) -> Path:
    """Rewrite a saved detector by hand, as an attacker would (no checksum, so the
    fields themselves are what load must check)."""
    path = folder / "params.json"
    saved = json.loads(path.read_text())
    saved.pop("weights", None)  # saves of llamalog 0.1 had none
    saved.update(meta or {})
    saved["state"].update(state or {})
    path.write_text(json.dumps(saved))
    if arrays is not None:
        with np.load(folder / "weights.npz", allow_pickle=False) as npz:
            merged = {k: npz[k] for k in npz.files}
        merged.update(arrays)
        np.savez(folder / "weights.npz", **merged)
    if raw_weights is not None:
        (folder / "weights.npz").write_bytes(raw_weights)
    return folder


def _huge_npz() -> bytes:
    import io
    import zipfile

    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (1 << 29,)}
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("W0.npy", header.getvalue() + b"\0" * 1024)
    return out.getvalue()


CRAFTED = {
    "nan threshold": ({"state": {"threshold_": float("nan")}}, "params.json", "threshold_"),
    "infinite center": ({"state": {"center_": float("inf")}}, "params.json", "center_"),
    "text width": ({"state": {"n_features_in_": "20"}}, "params.json", "n_features_in_"),
    "layers": ({"state": {"n_layers": 7}}, "params.json", "n_layers"),
    "backend": ({"state": {"backend_": "torch"}}, "params.json", "backend_"),
    "bad param": ({"meta": {"params": {"hidden": "big"}}}, "params.json", "params.hidden"),
    "bad literal": ({"meta": {"params": {"backend": "cuda"}}}, "params.json", "params.backend"),
    "newer": ({"meta": {"version": 99}}, "params.json", "version"),
    "other class": ({"meta": {"class": "SequenceModel"}}, "params.json", "class"),
    "wrong shape": ({"arrays": {"W0": np.zeros((3, 3))}}, "weights.npz", "W0"),
    "nan weights": ({"arrays": {"b0": np.full(16, np.nan)}}, "weights.npz", "b0"),
    "4 GiB declared": ({"raw_weights": _huge_npz()}, "weights.npz", "W0"),
    "not a zip": ({"raw_weights": b"PK\x03\x04 nonsense"}, "weights.npz", None),
}
CRAFTED["negative id"] = ({"state": {"vocabulary_": [-7, *range(19)]}}, "params.json", None)
CRAFTED["duplicate id"] = ({"state": {"vocabulary_": [1, 1, *range(2, 20)]}}, "params.json", None)


@pytest.mark.parametrize("case", list(CRAFTED))
def test_load_refuses_crafted_models_naming_file_and_field(saved_ae, tmp_path, case):
    from llamalog.errors import InvalidFileError

    _, folder = saved_ae
    change, filename, field = CRAFTED[case]
    crafted = _craft(_copy(folder, tmp_path), **change)
    with pytest.raises(InvalidFileError) as info:
        Autoencoder.load(crafted)
    message = str(info.value)
    assert isinstance(info.value, llamalog.LlamalogError) and isinstance(info.value, ValueError)
    assert str(crafted) in message
    if filename:
        assert filename in message
    if field:
        assert field in message and info.value.field == field


def test_load_refuses_pickled_arrays(saved_ae, tmp_path):
    from llamalog.errors import InvalidFileError

    _, folder = saved_ae
    crafted = _copy(folder, tmp_path)
    with np.load(crafted / "weights.npz") as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays["W1"] = np.array([{"evil": 1}], dtype=object)
    np.savez(crafted / "weights.npz", **arrays)
    _craft(crafted)
    with pytest.raises(InvalidFileError, match=r"weights\.npz: array 'W1'.*objects"):
        Autoencoder.load(crafted)


def test_load_refuses_weights_of_another_save(saved_ae, tmp_path):
    from llamalog.errors import InvalidFileError

    _, folder = saved_ae
    crafted = _copy(folder, tmp_path)
    other = Autoencoder(**SMALL, backend="numpy", random_state=9).fit(synthetic(1)[0])
    other.save(tmp_path / "other")
    (crafted / "weights.npz").write_bytes((tmp_path / "other" / "weights.npz").read_bytes())
    with pytest.raises(InvalidFileError, match=r"weights\.npz does not match .*params\.json"):
        Autoencoder.load(crafted)
    meta = json.loads((crafted / "params.json").read_text())
    meta["weights"]["file"] = "../../weights.npz"
    (crafted / "params.json").write_text(json.dumps(meta))
    with pytest.raises(InvalidFileError, match=r"weights\.file"):
        Autoencoder.load(crafted)
    (crafted / "params.json").write_text("{not json")
    with pytest.raises(InvalidFileError, match=r"params\.json is not valid JSON"):
        Autoencoder.load(crafted)


def test_models_saved_without_a_checksum_still_load(saved_ae, tmp_path):
    det, folder = saved_ae
    X, _, _ = synthetic(1)
    old = _craft(_copy(folder, tmp_path))  # as llamalog 0.1 wrote them
    np.testing.assert_array_equal(
        Autoencoder.load(old).decision_function(X), det.decision_function(X)
    )


def _saved_pattern(tmp_path: Path) -> Path:
    from llamalog.detectors import PatternDetector

    rng = np.random.default_rng(0)
    tids = rng.choice([0, 1, 2], 400)
    params = [[(str(int(rng.integers(100, 200))), "int")] if t == 1 else [] for t in tids]
    frame = pd.DataFrame({"template_id": tids, "params": params})
    return PatternDetector().fit(frame).save(tmp_path / "pattern")


@pytest.mark.parametrize(
    ("arrays", "field"),
    [
        ({"templates": np.array([0, 0, 2])}, "templates"),
        ({"templates": np.array([-3, 1, 2])}, "templates"),
        ({"counts": np.array([5, -1, 3])}, "counts"),
        ({"numeric_ids": np.array([[9, 0, 10, 1]])}, "numeric_ids"),
        ({"numeric_values": np.zeros((4, 5))}, "numeric_values"),
    ],
)
def test_pattern_load_refuses_bad_ids(tmp_path, arrays, field):
    from llamalog.detectors import PatternDetector
    from llamalog.errors import InvalidFileError

    crafted = _craft(_saved_pattern(tmp_path), arrays=arrays)
    with pytest.raises(InvalidFileError, match=rf"weights\.npz: '{field}'"):
        PatternDetector.load(crafted)


def test_a_save_that_fails_after_one_killed_between_commit_and_rename(
    saved_ae, tmp_path, monkeypatch
):
    import shutil

    det, folder = saved_ae
    crafted = _copy(folder, tmp_path)
    # as a save killed after writing params.json, before renaming its weights, leaves it
    staged = "weights.0123456789ab.npz"
    shutil.copy(crafted / "weights.npz", crafted / staged)
    meta = json.loads((crafted / "params.json").read_text())
    meta["weights"]["file"] = staged
    (crafted / "params.json").write_text(json.dumps(meta))
    (crafted / "weights.npz").write_bytes(b"an older model")
    X, _, _ = synthetic(1)
    np.testing.assert_array_equal(
        Autoencoder.load(crafted).decision_function(X), det.decision_function(X)
    )

    def disk_full(fh, **arrays):
        fh.write(b"PK half an archive")
        raise OSError("no space left on device")

    monkeypatch.setattr(np, "savez", disk_full)
    with pytest.raises(OSError, match="no space"):
        det.save(crafted)
    monkeypatch.undo()
    np.testing.assert_array_equal(
        Autoencoder.load(crafted).decision_function(X), det.decision_function(X)
    )
