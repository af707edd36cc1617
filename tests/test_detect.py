"""Tests of llamalog.detectors: the autoencoder detector on both backends."""

from __future__ import annotations

import dataclasses
import json
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
