"""Real logs: detection and reading speed on every format of the real-log corpus.

Usage::

    .venv/bin/python benchmarks/bench_formats.py                 # 200k lines per format
    .venv/bin/python benchmarks/bench_formats.py --lines 500000 --gb 1

Method
------
For each excerpt of ``datasets/real`` (real programs' logs, see
``benchmarks/reallogs/``): the full run from ``benchmarks/data/reallogs/`` when the
collectors left one, else the excerpt, is read with ``format="auto"`` and the chosen
format, doubt, records and the shares of rows with a timestamp and a level are printed
beside the expected format. Then, for speed, the log is repeated to ``--lines`` lines
(whole records; a syslog or klog file keeps its year from ``year=``) and read with its
format forced, best of ``--repeat`` rounds, after a warm-up read. The baseline, timed in
the same run and the same way, is the 1M-line HDFS corpus of ``bench_read.py`` cut to
``--lines`` lines and read with its Loghub ``<Field>`` header. Ratios are lines/s of the
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
from _common import DATA_DIR, ROOT, ensure_corpus, head_file, load_formats, require_shared

REAL = ROOT / "datasets" / "real"
FULL = DATA_DIR / "reallogs"


def cases() -> list[tuple[str, Path, dict]]:
    out = []
    for expect in sorted(REAL.glob("*.expect.json")):
        stem = expect.name.removesuffix(".expect.json")
        spec = json.loads(expect.read_text())
        logs = [p for p in REAL.glob(stem + ".*") if not p.name.endswith(".expect.json")]
        full = sorted(FULL.glob(stem + ".*")) if FULL.is_dir() else []
        out.append((stem, (full or logs)[0], spec))
    return out


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

    print("# Detection on the real-log corpus (format='auto')\n")
    print("| log | expected | chosen | unsure | records | timestamped | with a level |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    rows = []
    for stem, path, spec in cases():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frame = llamalog.read_logs(path, **spec.get("read", {}))
        chosen = frame.attrs["llamalog"]["format"]
        unsure = any("unsure" in str(w.message) for w in caught)
        row = dict(
            log=f"{stem} ({'full run' if path.parent == FULL else 'excerpt'})",
            expected=spec["format"],
            chosen=chosen,
            unsure=unsure,
            records=len(frame),
            timed=float(frame["timestamp"].notna().mean()) if len(frame) else 0.0,
            leveled=float(frame["level"].notna().mean()) if len(frame) else 0.0,
        )
        rows.append(row)
        mark = "" if chosen == spec["format"] else " (wrong)"
        print(
            f"| {row['log']} | {row['expected']} | {chosen}{mark} | {'yes' if unsure else ''} "
            f"| {row['records']:,} | {row['timed']:.1%} | {row['leveled']:.1%} |"
        )
    right = sum(r["chosen"] == r["expected"] for r in rows)
    silent = sum(r["chosen"] != r["expected"] and not r["unsure"] for r in rows)
    print(f"\nright format: {right} of {len(rows)}; wrong without a warning: {silent}\n")

    print(f"# Reading speed, {args.lines:,} lines per format (best of {args.repeat})\n")
    base_path = head_file(ensure_corpus("HDFS", 1_000_000), args.lines)
    base_fmt = load_formats()["HDFS"]
    base_s, base_n = best_read(base_path, args.repeat, format=base_fmt)
    base_rate = base_n / base_s
    print(f"baseline: HDFS with its <Field> header, {base_rate / 1e6:.2f} M lines/s\n")
    print("| format | lines | M lines/s | vs <Field> baseline | auto - forced (s) |")
    print("| --- | --- | --- | --- | --- |")
    speeds = []
    done = set()
    for stem, path, spec in cases():
        name = spec["format"]
        if name in done:
            continue
        done.add(name)
        big = grown(path, args.lines, stem)
        extra = spec.get("read", {})
        s, n = best_read(big, args.repeat, format=name, **extra)
        auto_s, _ = best_read(big, 1, **extra)
        speeds.append(dict(format=name, lines=n, rate=n / s, ratio=(n / s) / base_rate))
        print(
            f"| {name} | {n:,} | {n / s / 1e6:.2f} | {(n / s) / base_rate:.2f} "
            f"| {auto_s - s:+.3f} |"
        )
    slow = [s["format"] for s in speeds if s["ratio"] < 0.5]
    print(f"\nformats under half the baseline's lines/s: {slow or 'none'}\n")

    src = next(p for _, p, spec in cases() if spec["format"] == "nginx-error")
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
        args.json.write_text(json.dumps(dict(detection=rows, speed=speeds, detect_s=min(times))))


if __name__ == "__main__":
    main()
