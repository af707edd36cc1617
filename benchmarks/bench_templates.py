"""Template accuracy benchmark: GA, PA, FGA and FTA of template miners on Loghub-2k.

Usage::

    .venv/bin/python benchmarks/bench_templates.py             # all ten samples
    .venv/bin/python benchmarks/bench_templates.py --datasets HDFS,BGL --repeat 5 \\
        --json out/bench_templates.json --results benchmarks/RESULTS.md

Method
------
Data. The Loghub-2k samples in ``../shared/loghub-2k`` (``$LLAMALOG_SHARED/loghub-2k``
when that variable is set); without them the benchmark says so and exits 0. For each
dataset the raw log is read with ``llamalog.read_logs(<name>_2k.log,
format=formats[name])`` (``formats.json``); its ``message`` column is Loghub's
``Content``. The ground truth is ``<name>_2k.log_structured_corrected.csv`` (the
corrected oracle templates of Loghub-2.0), read as text. Lines are matched by position,
and the benchmark checks that ``message`` equals ``Content`` on every line.

Truth labels are the ``EventTemplate`` texts, because the Loghub-2.0 evaluator groups
the truth by ``EventTemplate`` (``EventId`` and ``EventTemplate`` are one to one in all
ten samples; the benchmark warns when they are not).

Parsers, each fed the ``message`` lines in file order:

drain3
    ``drain3.TemplateMiner(config=TemplateMinerConfig())``: the default configuration
    (similarity threshold 0.4, depth 4, 100 children, no masking, no extra delimiters,
    tokens with digits parametrised, ``<*>`` as parameter), passed explicitly so that no
    ``drain3.ini`` in the working directory is read; no per-dataset tuning. A line's
    group is the cluster id ``add_log_message`` returns; its template is that cluster's
    template after all lines (what Loghub's Drain writes), not the snapshot at the time
    the line was added.
llamalog
    ``llamalog.TemplateMiner().fit_transform(messages)`` (template ids) and
    ``miner.templates_["template"]``, when ``llamalog.TemplateMiner`` exists.

Metrics. ``llamalog.templates.metrics.evaluate_parsing`` (definitions, and what was
checked against the Loghub-2.0 evaluator, in its docstring): template texts are
compared exactly, as Loghub-2.0 does. The averages are unweighted means over the
datasets, as Loghub-2.0 reports them.

Timing. Each parser runs ``--repeat`` times on each dataset (a new miner each time) and
the best time is reported; the time covers the miner only, not reading or scoring.
2,000 lines take milliseconds, so lines/s here indicates speed rather than measures it;
throughput needs large corpora (loggen) to measure.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from _common import (
    SHARED,
    git_state,
    machine_info,
    markdown_table,
    now_utc,
    replace_section,
)

import llamalog
from llamalog.templates.metrics import evaluate_parsing

HEADING = "## Template accuracy on Loghub-2k (issue: template engine)"
PARSERS = ("drain3", "llamalog")
METRICS = ("ga", "pa", "fga", "fta")

#: One parse: a group label and a template text per line, and the best time in seconds.
Parse = tuple[np.ndarray, np.ndarray, float]


def loghub_dir() -> Path:
    """``loghub-2k`` in the shared folder (``$LLAMALOG_SHARED`` overrides ``../shared``)."""
    env = os.environ.get("LLAMALOG_SHARED")
    return (Path(env) if env else SHARED) / "loghub-2k"


def load_formats(loghub: Path) -> dict[str, str]:
    """Header formats in ``<Field>`` notation, keyed by dataset name."""
    data = json.loads((loghub / "formats.json").read_text())
    return {k: v for k, v in data.items() if not k.startswith("_")}


def load_dataset(loghub: Path, name: str, fmt: str) -> tuple[list[str], pd.DataFrame]:
    """The messages of one sample (via ``read_logs``) and its corrected ground truth.

    Raises
    ------
    ValueError
        When the log and the ground truth disagree on the number of lines.
    """
    folder = loghub / name
    frame = llamalog.read_logs(folder / f"{name}_2k.log", format=fmt)
    truth = pd.read_csv(
        folder / f"{name}_2k.log_structured_corrected.csv", dtype=str, keep_default_na=False
    )
    if len(frame) != len(truth):
        raise ValueError(f"read_logs gave {len(frame)} records, the truth has {len(truth)}")
    messages = [str(m) for m in frame["message"].tolist()]
    differ = int(
        np.count_nonzero(np.asarray(messages, dtype=object) != truth["Content"].to_numpy())
    )
    if differ:
        print(f"  warning: {differ} messages differ from the truth's Content", flush=True)
    pairs = truth[["EventId", "EventTemplate"]].drop_duplicates()
    if len(pairs) != truth["EventId"].nunique() or len(pairs) != truth["EventTemplate"].nunique():
        print("  warning: EventId and EventTemplate are not one to one", flush=True)
    return messages, truth


def parse_drain3(messages: list[str]) -> Parse:
    """Drain3 with its default configuration: cluster ids, final templates, seconds."""
    from drain3 import TemplateMiner
    from drain3.template_miner_config import TemplateMinerConfig

    miner = TemplateMiner(config=TemplateMinerConfig())
    start = time.perf_counter()
    ids = [miner.add_log_message(m)["cluster_id"] for m in messages]
    final = {c.cluster_id: c.get_template() for c in miner.drain.clusters}
    seconds = time.perf_counter() - start
    templates = np.asarray([final[i] for i in ids], dtype=object)
    return np.asarray(ids), templates, seconds


def parse_llamalog(messages: list[str]) -> Parse:
    """``llamalog.TemplateMiner`` with its defaults: template ids, texts, seconds."""
    miner = llamalog.TemplateMiner()  # type: ignore[attr-defined]
    series = pd.Series(messages, name="message")
    start = time.perf_counter()
    ids = np.asarray(miner.fit_transform(series))
    seconds = time.perf_counter() - start
    templates = miner.templates_["template"].reindex(ids).to_numpy(dtype=object)
    return ids, templates, seconds


def available_parsers(wanted: list[str]) -> dict[str, Callable[[list[str]], Parse]]:
    """The requested parsers that can run here; says why for each one that cannot."""
    out: dict[str, Callable[[list[str]], Parse]] = {}
    for name in wanted:
        if name == "drain3":
            try:
                import drain3  # noqa: F401
            except ImportError:
                print('drain3: not installed (pip install -e ".[bench]"); skipped')
                continue
            out[name] = parse_drain3
        elif getattr(llamalog, "TemplateMiner", None) is None:
            print("llamalog: TemplateMiner not available yet")
        else:
            out[name] = parse_llamalog
    return out


def run_parser(parse: Callable[[list[str]], Parse], messages: list[str], repeat: int) -> Parse:
    """``repeat`` fresh runs; the labels and texts of the first, the best time of all."""
    ids, templates, best = parse(messages)
    for _ in range(repeat - 1):
        again = parse(messages)
        best = min(best, again[2])
        if not np.array_equal(again[1], templates):
            print("  warning: a repeated run gave other templates", flush=True)
    return ids, templates, best


def bench_dataset(
    loghub: Path, name: str, fmt: str, parsers: dict, repeat: int
) -> dict[str, dict] | None:
    """Scores and timings of every parser on one dataset (None when it cannot be read)."""
    try:
        messages, truth = load_dataset(loghub, name, fmt)
    except (OSError, ValueError) as exc:
        print(f"{name}: skipped ({exc})", flush=True)
        return None
    texts = truth["EventTemplate"].to_numpy(dtype=object)
    out = {}
    for parser, parse in parsers.items():
        ids, templates, seconds = run_parser(parse, messages, repeat)
        scores = evaluate_parsing(texts, ids, truth_templates=texts, predicted_templates=templates)
        out[parser] = {
            **scores.as_dict(),
            "seconds": seconds,
            "lines_per_s": len(messages) / seconds if seconds > 0 else float("inf"),
        }
        print(
            f"{name:<10} {parser:<8} GA {scores.ga:.3f}  PA {scores.pa:.3f}  "
            f"FGA {scores.fga:.3f}  FTA {scores.fta:.3f}  "
            f"({scores.n_predicted_groups} groups / {scores.n_truth_groups} true, "
            f"{out[parser]['lines_per_s']:,.0f} lines/s)",
            flush=True,
        )
    if "llamalog" in parsers:
        out["streaming"] = streaming(messages, texts)
    return out


def streaming(messages: list[str], texts: np.ndarray) -> dict[str, float]:
    """GA of llamalog fitted at once, over 100 ``partial_fit`` batches, and merged from two
    halves (ids from ``transform`` of every line), and whether save -> load keeps ids."""
    import tempfile

    whole = llamalog.TemplateMiner()
    ids = whole.fit_transform(messages)
    stream = llamalog.TemplateMiner()
    for batch in np.array_split(np.arange(len(messages)), 100):
        stream.partial_fit([messages[i] for i in batch])
    half = len(messages) // 2
    merged = llamalog.TemplateMiner().fit(messages[:half])
    merged.merge(llamalog.TemplateMiner().fit(messages[half:]))
    with tempfile.TemporaryDirectory() as tmp:
        back = llamalog.TemplateMiner.load(whole.save(Path(tmp) / "miner.json"))
    return {
        "fit": evaluate_parsing(texts, ids).ga,
        "partial_fit": evaluate_parsing(texts, stream.transform(messages)).ga,
        "merge": evaluate_parsing(texts, merged.transform(messages)).ga,
        "round_trip": bool(np.array_equal(back.transform(messages), whole.transform(messages))),
    }


def streaming_table(results: dict[str, dict]) -> str:
    rows = []
    for name, r in results.items():
        if "streaming" not in r:
            continue
        s = r["streaming"]
        rows.append(
            [
                name,
                f"{s['fit']:.3f}",
                f"{s['partial_fit']:.3f} ({s['partial_fit'] - s['fit']:+.3f})",
                f"{s['merge']:.3f} ({s['merge'] - s['fit']:+.3f})",
                "same ids" if s["round_trip"] else "DIFFERENT",
            ]
        )
    header = ["dataset", "GA fit", "GA 100 x partial_fit", "GA merge of halves", "save -> load"]
    return markdown_table(header, rows)


def averages(results: dict[str, dict], parser: str) -> dict[str, float]:
    """Unweighted mean of each metric over datasets; lines/s over all lines together."""
    rows = [r[parser] for r in results.values() if parser in r]
    mean = {m: float(np.mean([r[m] for r in rows])) for m in METRICS}
    lines = sum(r["n_lines"] for r in rows)
    seconds = sum(r["seconds"] for r in rows)
    return {**mean, "n_lines": lines, "seconds": seconds, "lines_per_s": lines / seconds}


def parser_table(results: dict[str, dict], parser: str) -> str:
    """Per-dataset scores of one parser, and their average, as markdown."""
    rows = []
    for name, r in results.items():
        if parser not in r:
            continue
        s = r[parser]
        rows.append(
            [
                name,
                f"{s['n_lines']:,}",
                s["n_truth_templates"],
                s["n_predicted_groups"],
                s["n_predicted_templates"],
                *(f"{s[m]:.3f}" for m in METRICS),
                f"{s['lines_per_s']:,.0f}",
            ]
        )
    avg = averages(results, parser)
    rows.append(
        [
            "**average**",
            f"{avg['n_lines']:,}",
            "",
            "",
            "",
            *(f"**{avg[m]:.3f}**" for m in METRICS),
            f"{avg['lines_per_s']:,.0f}",
        ]
    )
    header = [
        "dataset",
        "lines",
        "true templates",
        "groups",
        "templates",
        "GA",
        "PA",
        "FGA",
        "FTA",
        "lines/s",
    ]
    return markdown_table(header, rows)


def tables(results: dict[str, dict], parsers: list[str], repeat: int) -> str:
    """One table per parser, and a comparison of averages when there are several."""
    parts = []
    for parser in parsers:
        parts += [
            f"{parser} (lines/s: best of {repeat} runs, miner only):",
            "",
            parser_table(results, parser),
            "",
        ]
    if len(parsers) > 1:
        rows = []
        for parser in parsers:
            avg = averages(results, parser)
            rows.append([parser, *(f"{avg[m]:.3f}" for m in METRICS)])
        parts += [
            "Averages over the datasets:",
            "",
            markdown_table(["parser", "GA", "PA", "FGA", "FTA"], rows),
            "",
        ]
    if any("streaming" in r for r in results.values()):
        parts += [
            "llamalog streaming (target: within 0.01 of fit; ids from `transform` of every "
            "line after learning):",
            "",
            streaming_table(results),
        ]
    return "\n".join(parts).rstrip()


def versions() -> dict[str, str]:
    """Versions of the libraries involved (absent ones are left out)."""
    out = {"python": sys.version.split()[0], "llamalog": llamalog.__version__}
    for dist in ("numpy", "pandas", "drain3"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    return out


def section(report: dict, text: str) -> str:
    """The RESULTS.md section for this run."""
    m, v = report["machine"], report["versions"]
    mem = f", {m['mem_gib']:.0f} GiB RAM" if m["mem_gib"] else ""
    libs = ", ".join(f"{k} {v[k]}" for k in ("numpy", "pandas", "drain3") if k in v)
    return "\n".join(
        [
            f"Run {report['date']} on {m['cpu']}, nproc {m['nproc']}{mem} ({m['os']}).",
            f"Versions: Python {v['python']}, {libs}, llamalog {v['llamalog']} "
            f"(git {report['git']}).",
            "",
            "Command:",
            "",
            "```",
            report["command"],
            "```",
            "",
            "Method (details in the docstring of `benchmarks/bench_templates.py`): each "
            "Loghub-2k sample read with `read_logs(path, format=...)`, its `message` lines "
            "fed in file order to each miner; truth from `*_structured_corrected.csv` "
            "(`EventTemplate`); scores from `llamalog.templates.metrics.evaluate_parsing`, "
            "the Loghub-2.0 definitions, template texts compared exactly. drain3 runs with "
            "its default `TemplateMinerConfig()`: no masking, no tuning. Averages are "
            "unweighted means over the datasets.",
            "",
            text,
        ]
    )


def command_line(argv: list[str]) -> str:
    """This invocation as a shell command, paths relative to the working directory."""
    python = os.path.relpath(sys.executable)
    if python.startswith(".."):
        python = sys.executable
    return shlex.join([python, sys.argv[0], *argv])


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--datasets", help="comma-separated Loghub datasets (default: all)")
    p.add_argument(
        "--parsers", default=",".join(PARSERS), help=f"comma-separated, of {', '.join(PARSERS)}"
    )
    p.add_argument("--repeat", type=int, default=3, help="runs per parser and dataset")
    p.add_argument("--json", type=Path, help="write all numbers to this JSON file")
    p.add_argument("--results", type=Path, help="write this run's section into a markdown file")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be positive")
    unknown = set(args.parsers.split(",")) - set(PARSERS)
    if unknown:
        p.error(f"unknown parsers {sorted(unknown)}; known: {', '.join(PARSERS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    loghub = loghub_dir()
    if not (loghub / "formats.json").is_file():
        print(
            f"benchmark skipped: {loghub / 'formats.json'} not found. The benchmark needs the "
            "Loghub-2k samples in ../shared/loghub-2k next to the repository, or "
            "LLAMALOG_SHARED pointing at a folder holding loghub-2k/."
        )
        return 0
    formats = load_formats(loghub)
    known = sorted(d for d in formats if (loghub / d).is_dir())
    datasets = [d.strip() for d in args.datasets.split(",")] if args.datasets else known
    unknown = [d for d in datasets if d not in known]
    if unknown:
        print(f"unknown datasets {unknown}; known: {', '.join(known)}")
        return 2
    parsers = available_parsers([p for p in PARSERS if p in args.parsers.split(",")])
    if not parsers:
        print("no parser to run")
        return 0
    report: dict = {"date": now_utc(), "command": command_line(argv), "loghub": str(loghub)}
    report["machine"] = machine_info()
    report["versions"] = versions()
    report["git"] = git_state()
    results = {}
    for name in datasets:
        if (r := bench_dataset(loghub, name, formats[name], parsers, args.repeat)) is not None:
            results[name] = r
    if not results:
        print("no dataset could be read")
        return 1
    report["results"] = results
    report["averages"] = {p: averages(results, p) for p in parsers}
    text = tables(results, list(parsers), args.repeat)
    print("\n" + text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, default=str))
        print(f"\nwrote {args.json}")
    if args.results:
        replace_section(args.results, HEADING, section(report, text))
        print(f"wrote section {HEADING!r} in {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
