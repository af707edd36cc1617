"""llamalog.dask: byte-range partitions give exactly read_logs' rows; templates merge."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import llamalog

dask = pytest.importorskip("dask")
lld = pytest.importorskip("llamalog.dask")

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "datasets"
HDFS = "<Date> <Time> <Pid> <Level> <Component>: <Content>"


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Values only: categorical columns list their categories per partition."""
    return frame.astype(object).reset_index(drop=True)


def _same_as_read_logs(source, fmt, blocksize, **options) -> int:
    want = llamalog.read_logs(source, format=fmt, **options)
    with dask.config.set(scheduler="sync"):
        frame = lld.read_logs(source, format=fmt, blocksize=blocksize, **options)
        got = frame.compute()
    pd.testing.assert_frame_equal(_plain(got), _plain(want))
    return frame.npartitions


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("app.log", "log4j"),  # stack traces cross partition boundaries
        ("hdfs_sessions.log", HDFS),
        ("syslog.log", "syslog"),
        ("app.jsonl", "jsonl"),  # an out-of-order record just past a boundary
        ("access.log", "auto"),
    ],
)
def test_partitions_give_the_rows_of_read_logs(name, fmt):
    assert _same_as_read_logs(DATA / name, fmt, blocksize=3000) > 30


def test_records_longer_than_a_partition_and_odd_edges(tmp_path):
    trace = "".join(f"\tat com.example.Deep.call{i}(Deep.java:{i})\n" for i in range(60))
    text = (
        "orphan line before any header\n"
        "2026-03-01 08:00:00,000 INFO [main] com.example.App: start\n"
        f"2026-03-01 08:00:01,000 ERROR [main] com.example.App: failed\n{trace}"
        "2026-03-01 07:59:59,000 WARN [main] com.example.App: clock went back\r\n"
        "2026-03-01 08:00:02,000 INFO [main] com.example.App: last, no newline"
    )
    path = tmp_path / "edge.log"
    path.write_text(text)
    assert _same_as_read_logs(path, "log4j", blocksize=200) > 10
    assert _same_as_read_logs(path, "log4j", blocksize=97, multiline=False) > 10
    got = lld.read_logs(path, format="log4j", blocksize=200).compute(scheduler="sync")
    assert got["n_lines"].tolist() == [1, 1, 61, 1, 1]
    assert got["problems"].astype(str).tolist()[3] == "out_of_order"


def test_directories_of_plain_and_compressed_files(tmp_path):
    shutil.copy(DATA / "hdfs_sessions.log", tmp_path / "a.log")
    with open(DATA / "hdfs_sessions.log", "rb") as f, gzip.open(tmp_path / "b.log.gz", "wb") as g:
        g.write(f.read())
    assert _same_as_read_logs(tmp_path, HDFS, blocksize=50_000) == 9 + 1
    assert _same_as_read_logs(tmp_path, HDFS, blocksize=50_000, columns=[]) == 10


def test_small_files_share_partitions(tmp_path):
    lines = (DATA / "hdfs_sessions.log").read_text().splitlines(keepends=True)
    for k in range(40):  # small files, a large one among them, and a compressed one
        (tmp_path / f"{k:02d}.log").write_text("".join(lines[k * 7 : k * 7 + 7]))
    shutil.copy(DATA / "hdfs_sessions.log", tmp_path / "20_big.log")
    with gzip.open(tmp_path / "30_c.log.gz", "wt") as g:
        g.write("".join(lines[:50]))
    n = _same_as_read_logs(tmp_path, HDFS, blocksize=50_000)
    assert n < 20  # 42 files: runs of small ones are read together
    assert _same_as_read_logs(tmp_path, HDFS, blocksize=50_000, columns=[]) == n


def test_templates_fitted_per_partition_and_merged_group_like_one_fit():
    truth = pd.read_csv(DATA / "hdfs_sessions.log.truth.csv")["template_id"].to_numpy()
    frame = lld.read_logs(DATA / "hdfs_sessions.log", format=HDFS, blocksize=20_000)
    with dask.config.set(scheduler="sync"):
        miner = lld.fit_templates(frame, split_every=3)
        labelled = lld.add_templates(frame, miner).compute()
    assert frame.npartitions > 10
    whole = llamalog.read_logs(DATA / "hdfs_sessions.log", format=HDFS)["message"]
    one = llamalog.evaluate_parsing(truth, llamalog.TemplateMiner().fit_transform(whole))
    merged = llamalog.evaluate_parsing(truth, labelled["template_id"].to_numpy())
    assert merged.ga >= one.ga - 0.01
    assert (labelled["template_id"] >= 0).all()
    assert labelled["template"].notna().all()


def test_it_runs_on_a_distributed_cluster():
    distributed = pytest.importorskip("dask.distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        frame = lld.read_logs(DATA / "app.log", format="log4j", blocksize=50_000)
        counts = frame.groupby("level", observed=True).size().compute()
        miner = lld.fit_templates(frame)
    want = llamalog.read_logs(DATA / "app.log", format="log4j")
    assert counts.sort_index().to_dict() == want.groupby("level", observed=True).size().to_dict()
    assert np.isin(llamalog.add_templates(want, miner)["template_id"], miner.templates_.index).all()


def test_what_cannot_be_partitioned_says_so(tmp_path):
    with open(DATA / "app.log", "rb") as f, pytest.raises(TypeError, match="by path"):
        lld.read_logs(f, format="log4j")
    with pytest.raises(TypeError, match="unknown options"):
        lld.read_logs(DATA / "app.log", format="log4j", cache=True)
