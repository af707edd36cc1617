"""Detection quality: precision / recall / F1 of llamalog's detectors against baselines.

Two evaluations, each fitting on a training part and scoring the rest, with every
threshold taken from training data only (nothing here is tuned to the labels):

(a) Synthetic logs from :func:`llamalog.datasets.synthetic` (``hdfs`` kind, several
    seeds pooled): the first half in time is anomaly-free and trains the detectors.
    Session anomalies (missing / extra / reordered events) are scored on block
    sessions (``session=r"blk_-?\\d+"``); windowed ones (bursts, error spikes, new
    templates, out-of-range parameters) on 1-minute windows. For each anomaly kind,
    F1 counts windows holding that kind as positives and windows without any anomaly
    as negatives (windows of other kinds are left out).
(b) BGL from ``../shared/loghub-2k``: lines labelled ``Label != "-"`` are anomalies;
    the first 1000 lines train, the last 1000 are scored in 20-line windows (a window
    is anomalous when it holds an anomalous line).

Baselines on the same count windows (TF-IDF, unseen events counted in one extra
column): PCA residual (squared prediction error off the principal subspace holding
95 % of the variance, as in loglizer), IsolationForest and One-Class SVM (scikit-learn
defaults, scores cut at the 0.99 quantile of training scores), and the label-free
severity rule "a window holds an ERROR-or-worse line".

Usage::

    .venv/bin/python benchmarks/bench_eval.py [--lines 60000] [--seeds 3] \
        [--results benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import LOGHUB, markdown_table, write_results

import llamalog
from llamalog.detectors.run import DEFAULT_METHODS, _inside, _subset

HEADING = "## Detection quality (issue: detection)"
SESSION_KINDS = ("missing_event", "extra_event", "reordered")
WINDOW_KINDS = ("burst", "error_spike", "new_template", "out_of_range_param")
SEVERE = {"ERROR", "CRITICAL", "ALERT", "EMERGENCY"}
DETECTORS = ("pattern", "timeseries", "sequence", "autoencoder")


# -- labels per window ------------------------------------------------------------------------
def window_kinds(win: llamalog.Windows, row_kind: np.ndarray) -> list[set[str]]:
    """The anomaly kinds among each window's rows."""
    out = []
    for i in range(len(win)):
        kinds = set(row_kind[win.rows(i)].tolist())
        kinds.discard("")
        out.append(kinds)
    return out


def prf(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    tp = int((pred & truth).sum())
    fp = int((pred & ~truth).sum())
    fn = int((~pred & truth).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


# -- baselines --------------------------------------------------------------------------------
def baseline_flags(frame, spec, train_mask):
    """Per window of ``frame`` (windowed with ``spec``), each baseline's 0/1 verdict; the
    windows; and the positions of the training windows (as :func:`llamalog.detect`)."""
    from sklearn.decomposition import PCA
    from sklearn.ensemble import IsolationForest
    from sklearn.svm import OneClassSVM

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", llamalog.LlamalogWarning)
        win = llamalog.windows(frame, **spec)
    inside = _inside(win, train_mask)
    tr = _subset(win, inside)
    idf = tr.idf()
    Xtr = tr.normalize("l2", tr.tfidf(idf)).toarray()
    X = win.normalize("l2", win.tfidf(idf)).toarray()
    out = {}

    mean = Xtr.mean(axis=0)
    pca = PCA(n_components=0.95, svd_solver="full").fit(Xtr - mean)

    def spe(A):
        c = A - mean
        return ((c - pca.inverse_transform(pca.transform(c)) + pca.mean_) ** 2).sum(axis=1)

    out["PCA residual"] = spe(X) > np.quantile(spe(Xtr), 0.99)
    iso = IsolationForest(random_state=0).fit(Xtr)
    out["IsolationForest"] = -iso.score_samples(X) > np.quantile(-iso.score_samples(Xtr), 0.99)
    svm = OneClassSVM().fit(Xtr)
    out["One-Class SVM"] = -svm.score_samples(X) > np.quantile(-svm.score_samples(Xtr), 0.99)
    level = frame["level"].astype(str).to_numpy() if "level" in frame else None
    severe = np.isin(level, list(SEVERE)) if level is not None else np.zeros(len(frame), bool)
    out["severity rule"] = np.array([severe[win.rows(i)].any() for i in range(len(win))])
    return out, win, inside


def run_case(frame, spec, train_mask, methods, row_kind):
    """Flags per detector (llamalog's and baselines') on every window, window kinds, test mask.

    ``methods`` are run by one :func:`llamalog.detect` call; the row of the default
    combination ORs the flags of the default methods for this windowing.
    """
    t = time.perf_counter()
    found = llamalog.detect(frame, methods, windows=spec, train=train_mask, all=True)
    seconds = time.perf_counter() - t
    default = DEFAULT_METHODS["session" if "session" in spec else "other"]
    combined = np.zeros(len(found), dtype=bool)
    for m in default:
        combined |= found[f"flag_{m}"].to_numpy().astype(bool)
    flags = {f"llamalog.detect() default ({'+'.join(default)})": combined}
    for m in methods:
        flags[m] = found[f"flag_{m}"].to_numpy().astype(bool)
    base, win, inside = baseline_flags(frame, spec, train_mask)
    flags.update(base)
    test = np.ones(len(win), dtype=bool)
    test[inside] = False
    test &= win.index["first_row"].to_numpy() > np.flatnonzero(train_mask).max()
    return flags, window_kinds(win, row_kind), test, seconds


# -- (a) synthetic ----------------------------------------------------------------------------
def synthetic_case(lines: int, seeds: int) -> tuple[list[list], list[str]]:
    import tempfile

    from llamalog.datasets import synthetic

    pooled: dict[str, dict[str, list]] = {}
    for seed in range(seeds):
        log = synthetic("hdfs", n_lines=lines, seed=seed)
        with tempfile.TemporaryDirectory() as tmp:
            path = log.write(Path(tmp) / "hdfs.log")
            frame = llamalog.read_logs(path)
        frame = llamalog.add_templates(frame, params=True)
        kinds = log.truth.set_index("line")["anomaly_kind"]
        row_kind = kinds.reindex(frame["line"]).fillna("").to_numpy().astype(str)
        train = (frame["timestamp"] < log.clean_until).to_numpy()
        for spec, methods, wanted in (
            ({"session": r"blk_-?\d+"}, DETECTORS, SESSION_KINDS),
            ({"every": "1min"}, DETECTORS, WINDOW_KINDS),
        ):
            flags, wkinds, test, _ = run_case(frame, spec, train, methods, row_kind)
            for name, f in flags.items():
                slot = pooled.setdefault(name, {})
                for kind in wanted:
                    sel = test & np.array([(not k) or (kind in k) for k in wkinds])
                    truth = np.array([kind in k for k in wkinds])[sel]
                    prev = slot.get(kind, [np.zeros(0, bool), np.zeros(0, bool)])
                    slot[kind] = [np.r_[prev[0], f[sel]], np.r_[prev[1], truth]]
                if set(wanted) == set(SESSION_KINDS):
                    sel = test
                    truth = np.array([bool(k & set(SESSION_KINDS)) for k in wkinds])[sel]
                    prev = slot.get("sessions", [np.zeros(0, bool), np.zeros(0, bool)])
                    slot["sessions"] = [np.r_[prev[0], f[sel]], np.r_[prev[1], truth]]
    kinds = ["sessions", *SESSION_KINDS, *WINDOW_KINDS]
    rows = []
    for name, slot in pooled.items():
        row = [name]
        for kind in kinds:
            if kind in slot:
                pred, truth = slot[kind]
                row.append(f"{prf(pred, truth)[2]:.3f}")
            else:
                row.append("–")
        rows.append(row)
    return rows, kinds


# -- (b) BGL ----------------------------------------------------------------------------------
def bgl_case() -> list[list] | None:
    folder = LOGHUB / "BGL"
    if not folder.is_dir():
        print(f"BGL skipped: {folder} not found")
        return None
    sample = llamalog.datasets.load_loghub(folder)
    frame = llamalog.read_logs(sample.log_path, format=sample.format)
    frame = llamalog.add_templates(frame, params=True)
    row_kind = np.where(frame["Label"].astype(str).to_numpy() != "-", "alert", "")
    train = np.zeros(len(frame), dtype=bool)
    train[: len(frame) // 2] = True
    spec = {"size": 20}
    flags, wkinds, test, seconds = run_case(frame, spec, train, DETECTORS, row_kind)
    truth = np.array([bool(k) for k in wkinds])[test]
    rows = []
    for name, f in flags.items():
        p, r, f1 = prf(f[test], truth)
        rows.append([name, f"{p:.3f}", f"{r:.3f}", f"{f1:.3f}"])
    print(
        f"BGL: {int(test.sum())} test windows, {int(truth.sum())} anomalous; detect {seconds:.1f} s"
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=60_000, help="records per synthetic log")
    ap.add_argument("--seeds", type=int, default=3, help="synthetic logs pooled")
    ap.add_argument("--results", type=Path)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore", llamalog.LlamalogWarning)
    t = time.perf_counter()
    rows_a, kinds = synthetic_case(args.lines, args.seeds)
    table_a = markdown_table(["detector (F1)", *kinds], rows_a)
    print(f"(a) synthetic hdfs, {args.seeds} x {args.lines:,} records\n{table_a}\n")
    rows_b = bgl_case()
    table_b = markdown_table(["detector", "precision", "recall", "F1"], rows_b) if rows_b else ""
    if rows_b:
        print(f"(b) BGL Loghub-2k, chronological halves, 20-line windows\n{table_b}")
    print(f"total {time.perf_counter() - t:.0f} s")
    if args.results:
        body = (
            f"(a) synthetic `hdfs`, {args.seeds} seeds x {args.lines:,} records, F1 per "
            "anomaly kind (sessions: block sessions; the rest: 1-minute windows):\n\n"
            f"{table_a}\n\n(b) BGL (Loghub-2k), first 1000 lines train, last 1000 in "
            f"20-line windows:\n\n{table_b}\n"
        )
        write_results(args.results, HEADING, "bench_eval.py", argv, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
