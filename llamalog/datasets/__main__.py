"""Regenerate the bundled sample logs: ``python -m llamalog.datasets [--out datasets]``.

Every file is rewritten byte for byte from :func:`llamalog.datasets.synthetic` (seed 0
unless ``--seed`` says otherwise), together with ``README.md``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from .synthetic import ANOMALY_KINDS, SyntheticLog, synthetic

#: (file name, kind, records, description) of each bundled log.
BUNDLE = (
    ("app.log", "app", 3000, "Java service (log4j layout) with multi-line stack traces; "
     "sessions are orders (order id) and logins (session id)."),
    ("hdfs_sessions.log", "hdfs", 3000, "HDFS-like NameNode/DataNode log; sessions are blocks "
     "(`blk_` id): allocate, receive x3, received/responder x3, addStoredBlock x3, then maybe "
     "verify, serve or delete."),
    ("syslog.log", "syslog", 1200, "RFC 3164 syslog of four hosts (sshd, CRON, systemd, "
     "postfix, ntpd, dhclient), no year in the text; sessions are sshd logins and cron runs "
     "(`host:pid`)."),
    ("access.log", "access", 1200, "Apache/nginx combined access log; the template covers the "
     "request line with path ids masked; sessions are client flows (client IP)."),
    ("app.jsonl", "jsonl", 1200, "JSON lines (`time`, `level`, `logger`, `msg`, `ctx`); the "
     "template covers `msg`; sessions are requests (`ctx.request_id`)."),
)  # fmt: skip


def build(out: str | Path = "datasets", seed: int = 0) -> list[Path]:
    """Write every bundled log, its ``.truth.csv`` and ``README.md`` under ``out``.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in build(tempfile.mkdtemp())][:2]
    ['app.log', 'app.log.truth.csv']
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written, logs = [], []
    for name, kind, n_lines, _ in BUNDLE:
        log = synthetic(kind, n_lines=n_lines, seed=seed)
        path = log.write(out / name)
        written += [path, path.with_name(path.name + ".truth.csv")]
        logs.append(log)
    readme = out / "README.md"
    readme.write_text(_readme(logs, seed), encoding="utf-8")
    return [*written, readme]


def _readme(logs: list[SyntheticLog], seed: int) -> str:
    rows = []
    for (name, kind, _, about), log in zip(BUNDLE, logs, strict=True):
        bad = int(log.truth["anomaly"].sum())
        rows.append(
            f"| `{name}` | `{kind}` | {len(log.truth)} | {len(log.lines)} | {bad} "
            f"| `{log.format}` | {about} |"
        )
    counts = "\n".join(
        f"| `{k}` | " + " | ".join(str(int((g.truth.anomaly_kind == k).sum())) for g in logs) + " |"
        for k in ANOMALY_KINDS
    )
    names = " | ".join(f"`{b[0]}`" for b in BUNDLE)
    clean = logs[0].clean_until
    return _TEMPLATE.format(
        seed=seed, command="python -m llamalog.datasets --out datasets"
        + (f" --seed {seed}" if seed else ""), rows="\n".join(rows), counts=counts, names=names,
        seps=" | ".join("---" for _ in BUNDLE), clean=f"{clean:%Y-%m-%d %H:%M}",
    )  # fmt: skip


#: The part of the README about the real-log corpus, which this module does not write.
_REAL = """
## Real logs: `real/` and `holdout/`

Logs written by real programs, run on 127.0.0.1 with real traffic and failures (bad
requests, failed logins, missing files, killed workers, restarts, rotations) by
`benchmarks/reallogs/collect_servers.sh` (nginx, Apache, MariaDB, PostgreSQL, Redis,
rsyslog with sshd/sudo/cron/postfix, journald, HAProxy, Squid, Exim, Tomcat, ...),
`collect_apps.sh` (Python, Node, Go and Java loggers) and `collect_holdout.sh`. Each
`X.expect.json` holds the program and its version, the configuration behind the layout,
the format `format="auto"` must choose (`null` in `holdout/`), any `read_logs` option a
user must give (`year` for formats without one), and one entry per record:
`[first line, lines, timestamp in UTC at the precision written, level or null]`. The
expectations were computed by per-program code independent of llamalog and checked by
hand. `tests/test_real_logs.py` reads every excerpt of `real/` to them;
`benchmarks/bench_formats.py` reports `holdout/`, which no rule of the format library was
tuned on.
"""

_TEMPLATE = (
    """# Sample logs with ground truth

Synthetic logs with known templates and planted anomalies, made by
`llamalog.datasets.synthetic` with seed {seed}. Regenerate them (byte for byte) with

    {command}

Do not edit these files by hand. Each log `X` has a sidecar `X.truth.csv` with one row per
record (a stack trace belongs to its record).

| file | kind | records | lines | anomalous records | header format | content |
| --- | --- | --- | --- | --- | --- | --- |
{rows}

## Truth columns

`line` (1-based first physical line of the record), `n_lines`, `timestamp` (UTC,
ISO 8601, at the resolution the text has), `level` (canonical: DEBUG, INFO, WARNING,
ERROR; for `syslog` the level the template implies, for `access` derived from the
status), `template_id`, `template` (Loghub convention: `<*>` per variable, a token holding
a variable becomes one `<*>`; for `access` only the variable part of the request path is
masked), `session` (empty outside sessions), `anomaly`, `anomaly_kind`, `out_of_order`,
`format` (the header format in Loghub `<Field>` notation; `jsonl` for JSON lines).
Load a truth file with `llamalog.datasets.read_truth(path)`.

## Time span and anomalies

Every log covers 2026-03-01 08:00 to 10:00 UTC. The first half (before {clean} UTC)
is anomaly-free: a clean training period. In the second half, about 2 % of the sessions
of that half each get a missing event, an extra (repeated) event or two swapped events
(all records of such a session are flagged), and each log has a one-minute burst of one
template at 20x its rate, a template never seen before (`new_template`), a two-minute
error spike and a few records with a numeric parameter 100x its usual value.

Anomalous records per kind:

| anomaly_kind | {names} |
| --- | {seps} |
{counts}

Timestamps never decrease except about one record in a thousand, written up to 30 s too
early; those have `out_of_order` = True and are not anomalies.
"""
    + _REAL
)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m llamalog.datasets", description="Regenerate the bundled sample logs."
    )
    parser.add_argument("--out", default="datasets", help="output folder (default: datasets)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    args = parser.parse_args(argv)
    for path in build(args.out, args.seed):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
