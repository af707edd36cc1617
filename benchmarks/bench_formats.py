"""Real logs: detection and reading speed on every format of the real-log corpus.

Usage::

    .venv/bin/python benchmarks/bench_formats.py                 # 200k lines per format
    .venv/bin/python benchmarks/bench_formats.py --lines 500000 --gb 1

Method
------
Each excerpt of ``datasets/real`` (real programs' logs, see ``benchmarks/reallogs/``)
is read with ``format="auto"`` and compared with its hand-checked expectations: the
format, the records, and the share of records with the expected timestamp and level;
whether a warning said the choice was unsure. The same for ``datasets/holdout``: real
logs of programs the format library was not built for (no expected format name), the
measure of how detection generalises. Then, for speed, the log is repeated to ``--lines`` lines
(whole records; a syslog or klog file keeps its year from ``year=``) and read with its
format forced, best of ``--repeat`` rounds, after a warm-up read. The baseline, timed in
the same run and the same way, rounds alternating with the format's, is the 1M-line HDFS
corpus of ``bench_read.py`` cut to ``--lines`` lines and read with its Loghub ``<Field>``
header. Ratios are lines/s of the
format over lines/s of the baseline (the target: at least 0.5).

Detection cost: ``detect_format`` on a ``--gb`` GB file made by repeating one excerpt
(it reads the first 256 KB whatever the size), best of 5, and the difference between
``read_logs(format="auto")`` and ``read_logs(format=name)`` on the ``--lines`` file.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DATA_DIR, LOGHUB, ROOT, ensure_corpus, head_file, load_formats, require_shared

REAL = ROOT / "datasets" / "real"
FULL = DATA_DIR / "reallogs"


HOLDOUT = ROOT / "datasets" / "holdout"


def cases(folder: Path = REAL, full: bool = True) -> list[tuple[str, Path, dict]]:
    """(name, log, expectations) for each excerpt of ``folder``; with ``full``, the full
    run of the same name when the collectors left one (without its expectations)."""
    out = []
    for expect in sorted(folder.glob("*.expect.json")):
        stem = expect.name.removesuffix(".expect.json")
        spec = json.loads(expect.read_text())
        logs = [p for p in folder.glob(stem + ".*") if not p.name.endswith(".expect.json")]
        runs = sorted(FULL.glob(stem + ".*")) if full and FULL.is_dir() else []
        out.append((stem, (runs or logs)[0], spec))
    return out


def check(path: Path, spec: dict) -> dict:
    """Read ``path`` with format='auto' and compare with the expectations: records, and
    the share of records whose timestamp and level are the expected ones."""
    import pandas as pd

    import llamalog

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = llamalog.read_logs(path, **spec.get("read", {}))
    doubt = any("unsure" in str(w.message) or "recognised" in str(w.message) for w in caught)
    want = pd.DataFrame(spec["records"], columns=["line", "n_lines", "timestamp", "level"])
    want_ts = pd.to_datetime(want["timestamp"], utc=True, format="ISO8601")
    same_records = len(frame) == len(want) and (frame["line"].to_numpy() == want["line"]).all()
    times = levels = float("nan")
    if same_records:
        got = frame["timestamp"].reset_index(drop=True)
        close = (got - want_ts).abs() <= pd.Timedelta(microseconds=1)
        times = float((close | (got.isna() & want_ts.isna())).mean())
        got_l = frame["level"].astype(object).where(frame["level"].notna(), None).tolist()
        want_l = [None if pd.isna(v) else v for v in want["level"]]
        levels = sum(a == b for a, b in zip(got_l, want_l, strict=True)) / len(want_l)
    chosen = frame.attrs["llamalog"]["format"]
    right = same_records and times == 1.0 and levels == 1.0
    if spec.get("format"):
        right = right and chosen == spec["format"]
    return dict(
        chosen=chosen,
        doubt=doubt,
        records=len(frame),
        expected_records=len(want),
        times=times,
        levels=levels,
        right=bool(right),
        timed=float(frame["timestamp"].notna().mean()) if len(frame) else 0.0,
    )


def loghub_check() -> list[dict]:
    """Each Loghub-2k sample read with format='auto' against the same file read with its
    Loghub header: the share of records with the same timestamp and level."""
    import numpy as np

    import llamalog

    print("# Loghub-2k, format='auto' against each system's own header\n")
    print("| system | chosen | warned | records | same times | same levels |")
    print("| --- | --- | --- | --- | --- | --- |")
    rows = []
    for name, fmt in load_formats().items():
        path = LOGHUB / name / f"{name}_2k.log"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            got = llamalog.read_logs(path, year=2026)
            ref = llamalog.read_logs(path, format=fmt, year=2026)
        doubt = any("unsure" in str(w.message) or "recognised" in str(w.message) for w in caught)
        same = len(got) == len(ref)
        times = (
            float((got["timestamp"].to_numpy() == ref["timestamp"].to_numpy()).mean())
            if same
            else 0.0
        )
        levels = (
            float(
                np.mean(
                    [
                        a == b or (a != a and b != b)
                        for a, b in zip(
                            got["level"].astype(object), ref["level"].astype(object), strict=True
                        )
                    ]
                )
            )
            if same
            else 0.0
        )
        rows.append(
            dict(
                system=name,
                chosen=got.attrs["llamalog"]["format"],
                doubt=doubt,
                times=times,
                levels=levels,
            )
        )
        mark = "yes" if doubt else ""
        print(
            f"| {name} | {rows[-1]['chosen']} | {mark} | {len(got)} | {times:.1%} | {levels:.1%} |"
        )
    print()
    return rows


def print_checks(title: str, items: list[tuple[str, Path, dict]]) -> list[dict]:
    print(f"# {title}\n")
    print("| log | expected | chosen | warned | records (expected) | right times | right levels |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    rows = []
    for stem, path, spec in items:
        row = dict(log=stem, expected=spec.get("format") or "-", **check(path, spec))
        rows.append(row)
        print(
            f"| {stem} | {row['expected']} | {row['chosen']} | {'yes' if row['doubt'] else ''} "
            f"| {row['records']} ({row['expected_records']}) | {row['times']:.1%} "
            f"| {row['levels']:.1%} |"
        )
    right = sum(r["right"] for r in rows)
    silent = sum(not r["right"] and not r["doubt"] for r in rows)
    print(
        f"\nread to every expectation: {right} of {len(rows)}; wrong somewhere without a "
        f"warning: {silent}; wrong with a warning: {len(rows) - right - silent}\n"
    )
    return rows


def grown(path: Path, lines: int, name: str) -> Path:
    """``path`` repeated to at least ``lines`` lines (cached in benchmarks/data)."""
    out = DATA_DIR / "formats" / f"{name}-{lines}{path.suffix}"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    data = path.read_bytes()
    if not data.endswith(b"\n"):
        data += b"\n"
    n = data.count(b"\n")
    tmp = out.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        for _ in range(-(-lines // n)):
            f.write(data)
    tmp.replace(out)
    return out


def best_read(path: Path, repeat: int, **kwargs) -> tuple[float, int]:
    import llamalog

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        llamalog.read_logs(path, **kwargs)  # warm-up: numba's cached code loaded
        best, n = float("inf"), 0
        for _ in range(repeat):
            t = time.perf_counter()
            frame = llamalog.read_logs(path, **kwargs)
            best = min(best, time.perf_counter() - t)
            n = int(frame["n_lines"].sum())
            del frame
    return best, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--lines", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--gb", type=float, default=1.0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    require_shared()
    import llamalog

    rows = print_checks("Real-log corpus (datasets/real), format='auto'", cases(REAL, False))
    loghub = loghub_check()
    holdout = []
    if HOLDOUT.is_dir():
        holdout = print_checks(
            "Held-out real logs (datasets/holdout: programs the library was not built for)",
            cases(HOLDOUT, False),
        )

    print(f"# Reading speed, {args.lines:,} lines per format (best of {args.repeat})\n")
    base_path = head_file(ensure_corpus("HDFS", 1_000_000), args.lines)
    base_fmt = load_formats()["HDFS"]
    base_s, base_n = best_read(base_path, args.repeat, format=base_fmt)
    base_rate = base_n / base_s
    base_mbs = base_path.stat().st_size / 1e6 / base_s
    print(
        f"baseline: HDFS with its <Field> header, {base_rate / 1e6:.2f} M lines/s, "
        f"{base_mbs:.0f} MB/s\n"
    )
    print(
        "| format | lines | M lines/s | vs <Field> baseline | MB/s | MB/s vs baseline "
        "| auto - forced (s) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    speeds = []
    done = set()
    for stem, path, spec in cases(REAL):
        name = spec["format"]
        if name in done:
            continue
        done.add(name)
        big = grown(path, args.lines, stem)
        extra = spec.get("read", {})
        # rounds alternate with the baseline's, so load from elsewhere hits both alike
        s = base_here = float("inf")
        for _ in range(args.repeat):
            s_k, n = best_read(big, 1, format=name, **extra)
            b_k, _ = best_read(base_path, 1, format=base_fmt)
            s, base_here = min(s, s_k), min(base_here, b_k)
        auto_s, _ = best_read(big, 1, **extra)
        mbs = big.stat().st_size / 1e6 / s
        base_rate = base_n / base_here
        base_mbs = base_path.stat().st_size / 1e6 / base_here
        speeds.append(
            dict(
                format=name,
                lines=n,
                rate=n / s,
                ratio=(n / s) / base_rate,
                mbs=mbs,
                mbs_ratio=mbs / base_mbs,
            )
        )
        print(
            f"| {name} | {n:,} | {n / s / 1e6:.2f} | {(n / s) / base_rate:.2f} "
            f"| {mbs:.0f} | {mbs / base_mbs:.2f} | {auto_s - s:+.3f} |"
        )
    slow = [s["format"] for s in speeds if s["ratio"] < 0.5]
    print(f"\nformats under half the baseline's lines/s: {slow or 'none'}")
    slow = [s["format"] for s in speeds if s["mbs_ratio"] < 0.5]
    print(f"formats under half the baseline's MB/s: {slow or 'none'}\n")

    src = next(p for _, p, spec in cases(REAL) if spec["format"] == "nginx-error")
    huge = grown(
        src, int(args.gb * 1e9 / (src.stat().st_size / max(1, src.read_bytes().count(b"\n")))), "gb"
    )
    times = []
    for _ in range(5):
        t = time.perf_counter()
        llamalog.detect_format(huge)
        times.append(time.perf_counter() - t)
    size = huge.stat().st_size / 1e9
    print(f"detect_format on a {size:.2f} GB file: {min(times):.3f} s (best of 5)")
    if args.json:
        args.json.write_text(
            json.dumps(
                dict(real=rows, holdout=holdout, loghub=loghub, speed=speeds, detect_s=min(times))
            )
        )


if __name__ == "__main__":
    main()
