"""Synthetic logs with known templates and planted anomalies: data with ground truth.

:func:`synthetic` draws a log of one *kind* (``"app"``, ``"hdfs"``, ``"syslog"``,
``"access"``, ``"jsonl"``) from a seeded :class:`numpy.random.Generator`, so the same
arguments always give the same lines. Records come from a fixed template table (see
:attr:`SyntheticLog.templates`); most belong to *sessions* (an order, an HDFS block, an
sshd login, a client, a request id) whose events interleave in time, the rest are
background records.

Ground truth
    ``SyntheticLog.truth`` has one row per record (a Java stack trace is part of its
    record): first physical ``line`` (1-based), ``n_lines``, ``timestamp`` (UTC, at the
    resolution written in the text), canonical ``level``, ``template_id``, ``template``
    (Loghub convention: ``<*>`` per variable; for ``app`` it is the first line only),
    ``session`` (``""`` outside sessions), ``anomaly``, ``anomaly_kind``,
    ``out_of_order`` and the header ``format``. For ``syslog`` the level is the one the
    template implies (the text has none); for ``access`` it follows the status code.

Anomalies (``anomalies=True``)
    All of them lie in the second half of the time span: the first half
    (``timestamp < SyntheticLog.clean_until``) is a clean training period. Session
    anomalies (about 2 % of the late sessions each; every record of the session is
    flagged): ``missing_event``, ``extra_event`` (an event repeated), ``reordered`` (two
    adjacent events swapped). Windowed anomalies: ``burst`` (one background template at
    20x its rate for one minute), ``new_template`` (a template never used elsewhere, a
    few times within five minutes), ``error_spike`` (error records packed into two
    minutes), and ``out_of_range_param`` (a few records whose numeric value is 100x the
    usual).

Disorder
    Timestamps never decrease, except about one record in a thousand written up to
    30 s too early (a late flush); ``out_of_order`` flags exactly those records whose
    timestamp is below an earlier one. They are not anomalies.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._kinds import APP, Flow, Kind, Params, template_text
from ._system import HDFS, SYSLOG
from ._web import ACCESS, JSONL

_SPECS: dict[str, Kind] = {k.name: k for k in (APP, HDFS, SYSLOG, ACCESS, JSONL)}
#: Names of the synthetic log kinds.
KINDS = tuple(_SPECS)
#: Values of ``truth["anomaly_kind"]`` other than ``""``.
ANOMALY_KINDS = (
    "missing_event", "extra_event", "reordered", "burst", "new_template",
    "out_of_range_param", "error_spike",
)  # fmt: skip
#: Columns of ``SyntheticLog.truth``, in order.
TRUTH_COLUMNS = (
    "line", "n_lines", "timestamp", "level", "template_id", "template", "session", "anomaly",
    "anomaly_kind", "out_of_order", "format",
)  # fmt: skip
_WINDOW_MS = {"burst": 60_000, "new_template": 300_000, "error_spike": 120_000}


@dataclass(frozen=True, eq=False)
class SyntheticLog:
    """A generated log: its ``lines`` and the ``truth`` about each record.

    ``clean_until`` is the middle of the time span: no anomaly before it.
    """

    lines: list[str]
    truth: pd.DataFrame
    kind: str
    format: str
    clean_until: pd.Timestamp

    @property
    def templates(self) -> pd.DataFrame:
        """The templates used, one row each: ``template_id``, ``template``."""
        frame = self.truth[["template_id", "template"]].drop_duplicates("template_id")
        return frame.sort_values("template_id", ignore_index=True)

    def write(self, path: str | Path) -> Path:
        """Write the lines to ``path`` (gzip when it ends with ``.gz``) and the truth
        to ``<path>.truth.csv``; both are byte-reproducible. Returns ``path``.

        Examples
        --------
        >>> import tempfile
        >>> log = synthetic("hdfs", n_lines=200)
        >>> path = log.write(Path(tempfile.mkdtemp()) / "hdfs.log.gz")
        >>> len(read_truth(path)) == len(log.truth)
        True
        """
        path = Path(path)
        data = ("\n".join(self.lines) + "\n").encode("utf-8")
        if path.name.endswith(".gz"):
            with open(path, "wb") as raw, gzip.GzipFile("", "wb", 9, raw, mtime=0) as gz:
                gz.write(data)
        else:
            path.write_bytes(data)
        frame = self.truth.copy()
        frame["timestamp"] = frame["timestamp"].dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "Z"
        frame.to_csv(_truth_path(path), index=False, lineterminator="\n")
        return path


def read_truth(path: str | Path) -> pd.DataFrame:
    """Read the truth written by :meth:`SyntheticLog.write` (give the log or the CSV path)."""
    frame = pd.read_csv(_truth_path(Path(path)), dtype=str, keep_default_na=False)
    for col in ("line", "n_lines", "template_id"):
        frame[col] = frame[col].astype("int64")
    for col in ("anomaly", "out_of_order"):
        frame[col] = frame[col] == "True"
    stamps = pd.to_datetime(frame["timestamp"], format="ISO8601", utc=True)
    frame["timestamp"] = stamps.astype("datetime64[ns, UTC]")
    return frame


def _truth_path(path: Path) -> Path:
    suffix = ".truth.csv"
    return path if path.name.endswith(suffix) else path.with_name(path.name + suffix)


def synthetic(
    kind: str = "app",
    *,
    n_lines: int = 3000,
    seed: int = 0,
    anomalies: bool = True,
    start: str | pd.Timestamp = "2026-03-01T08:00:00Z",
    duration: str | pd.Timedelta = "2h",
    out_of_order: bool = True,
) -> SyntheticLog:
    """Generate a log of ``kind`` with ``n_lines`` records and its ground truth.

    Parameters
    ----------
    kind : {"app", "hdfs", "syslog", "access", "jsonl"}
        The log family (see :data:`KINDS` and ``SyntheticLog.format``).
    n_lines : int
        Number of records (>= 100); ``app`` stack traces add physical lines. Below
        about 300 records some anomaly kinds may not fit.
    seed : int
        Seed of the random generator: same arguments, same lines.
    anomalies : bool
        Plant anomalies in the second half of the span (see the module docstring).
    start, duration
        First instant (naive means UTC) and length of the time span.
    out_of_order : bool
        Write about one record in a thousand a little too early (flagged in truth).

    Examples
    --------
    >>> log = synthetic("syslog", n_lines=300, seed=1)
    >>> len(log.truth), bool(log.truth["anomaly"].any())
    (300, True)
    >>> print(log.format)
    <Month> <Day> <Time> <Host> <Component>\\[<Pid>\\]: <Content>
    >>> log.lines == synthetic("syslog", n_lines=300, seed=1).lines
    True
    """
    if kind not in _SPECS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {list(KINDS)}")
    if n_lines < 100:
        raise ValueError(f"n_lines must be at least 100, got {n_lines}")
    t0 = pd.Timestamp(start)
    t0 = t0.tz_localize("UTC") if t0.tzinfo is None else t0.tz_convert("UTC")
    span = int(pd.Timedelta(duration) // pd.Timedelta(milliseconds=1))
    if span < 600_000:
        raise ValueError(f"duration must be at least 10 minutes, got {duration!r}")
    spec = _SPECS[kind]
    t0_ms = (t0 - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(milliseconds=1)
    gen = _Generator(spec, np.random.default_rng(seed), int(t0_ms), span)
    lines, truth = _render(spec, gen.run(n_lines, anomalies, out_of_order))
    return SyntheticLog(lines, truth, kind, spec.format, pd.Timestamp(gen.mid, unit="ms", tz="UTC"))


@dataclass
class _Rec:
    t: int
    tpl: int
    params: Params
    session: str = ""
    shared: Params | None = None
    anomaly: str = ""


@dataclass
class _Generator:
    spec: Kind
    rng: np.random.Generator
    t0: int
    span: int
    keys: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.t1, self.mid = self.t0 + self.span, self.t0 + self.span // 2
        self.index = {t.key: i for i, t in enumerate(self.spec.templates)}

    def run(self, n: int, anomalies: bool, disorder: bool) -> list[_Rec]:
        inserted = self._windows(n) if anomalies else []
        sessions = self._sessions(int(self.spec.share * (n - len(inserted))))
        if anomalies:
            self._break_sessions(sessions)
        recs = [r for s in sessions for r in s] + inserted
        if len(recs) > n:
            raise ValueError(f"n_lines={n} is too small for kind {self.spec.name!r}")
        recs += self._background(n - len(recs))
        recs.sort(key=lambda r: r.t)  # stable: a session's ties keep their order
        if anomalies:
            self._out_of_range(recs)
        if disorder:
            self._disorder(recs)
        return recs

    def draw(self, slot: str) -> str:
        gens = self.spec.gens
        return (gens.get(slot) or gens[slot.rstrip("0123456789")])(self.rng)

    def event(self, i: int, t: int, shared: Params | None = None, session: str = "") -> _Rec:
        tpl = self.spec.templates[i]
        params = self.spec.extra(self.rng, tpl)
        for slot in tpl.slots:
            if shared is None or slot not in shared:
                params[slot] = self.draw(slot)
        params.update(shared or {})
        return _Rec(t, i, params, session, shared)

    def _sessions(self, budget: int) -> list[list[_Rec]]:
        flows = self.spec.flows
        weights = np.array([f.weight for f in flows])
        out, total = [], 0
        while True:
            recs = self._session(flows[int(self.rng.choice(len(flows), p=weights / weights.sum()))])
            if total + len(recs) > budget:
                return out
            self.keys.add(recs[0].session)
            out.append(recs)
            total += len(recs)

    def _session(self, flow: Flow) -> list[_Rec]:
        for _ in range(1000):
            shared = {slot: self.draw(slot) for slot in flow.slots}
            key = flow.key.format(**shared)
            if key not in self.keys:
                break
        else:
            raise ValueError(f"too many sessions for kind {self.spec.name!r}; lower n_lines")
        t = self.t0 + int(self.rng.integers(0, self.span))
        recs = []
        for step in flow.steps:
            recs.append(self.event(self.index[step], t, shared, key))
            t += 1 + int(self.rng.exponential(flow.gap_ms))
        over = max(0, recs[-1].t - self.t1 + 1)  # end within the span
        for r in recs:
            r.t = max(self.t0, r.t - over)
        return recs

    def _break_sessions(self, sessions: list[list[_Rec]]) -> None:
        late = [s for s in sessions if s[0].t >= self.mid and len(s) >= 3]
        queue = [late[int(j)] for j in self.rng.permutation(len(late))]
        for kind in ANOMALY_KINDS[:3]:
            for _ in range(max(1, round(0.02 * len(late)))):
                while queue and not self._mutate(queue.pop(), kind):
                    pass

    def _mutate(self, s: list[_Rec], kind: str) -> bool:
        rng = self.rng
        if kind == "missing_event":  # neither the first nor the last event
            del s[int(rng.integers(1, len(s) - 1))]
        elif kind == "extra_event":
            j = int(rng.integers(1, len(s)))
            nxt = s[j + 1].t if j + 1 < len(s) else min(s[j].t + 1000, self.t1 - 1)
            s.insert(j + 1, self.event(s[j].tpl, (s[j].t + nxt) // 2, s[j].shared, s[j].session))
        else:
            pairs = [j for j in range(1, len(s) - 1) if s[j].tpl != s[j + 1].tpl]
            if not pairs:
                return False
            a, b = s[(j := pairs[int(rng.integers(len(pairs)))])], s[j + 1]
            a.tpl, b.tpl, a.params, b.params = b.tpl, a.tpl, b.params, a.params
        for r in s:
            r.anomaly = kind
        return True

    def _windows(self, n: int) -> list[_Rec]:
        width = (self.t1 - self.mid) // 6
        out = []
        for kind, slot in zip(_WINDOW_MS, self.rng.permutation(6)[:3], strict=False):
            length = min(_WINDOW_MS[kind], width)
            begin = self.mid + int(slot) * width + int(self.rng.integers(0, width - length + 1))
            for key in self._window_keys(kind, n, length):
                r = self.event(self.index[key], begin + int(self.rng.integers(0, length)))
                if kind == "error_spike" and self.spec.spike_params:
                    r.params.update(self.spec.spike_params(self.rng))
                r.anomaly = kind
                out.append(r)
        return out

    def _window_keys(self, kind: str, n: int, length: int) -> list[str]:
        rng, tpls = self.rng, self.spec.templates
        if kind == "new_template":
            return [self.spec.new] * int(rng.integers(3, 6))
        if kind == "error_spike":
            spike = self.spec.spike
            return [spike[int(k)] for k in rng.integers(0, len(spike), max(8, round(0.008 * n)))]
        quiet = [t for t in tpls if t.weight > 0 and t.level in ("INFO", "DEBUG")]
        weights = np.array([t.weight for t in quiet])
        tpl = quiet[int(rng.choice(len(quiet), p=weights / weights.sum()))]
        total = sum(t.weight for t in tpls)
        expected = n * (1 - self.spec.share) * tpl.weight / total * length / self.span
        return [tpl.key] * max(6, round(20 * expected))

    def _background(self, n: int) -> list[_Rec]:
        pool = [i for i, t in enumerate(self.spec.templates) if t.weight > 0]
        weights = np.array([self.spec.templates[i].weight for i in pool])
        picks = self.rng.choice(len(pool), size=n, p=weights / weights.sum())
        times = self.rng.integers(self.t0, self.t1, size=n)
        return [self.event(pool[int(k)], int(t)) for k, t in zip(picks, times, strict=True)]

    def _out_of_range(self, recs: list[_Rec]) -> None:
        key, slot = self.spec.oor
        i, k = self.index[key], int(self.rng.integers(2, 5))
        late = [r for r in recs if r.t >= self.mid and not r.anomaly]
        cands = [r for r in late if r.tpl == i]
        if len(cands) < 2 * k:  # turn a few late background records into this template
            spare = [r for r in late if not r.session and r.tpl != i]
            extra = min(len(spare), 2 * k - len(cands))
            for j in self.rng.choice(len(spare), extra, replace=False):
                r = spare[int(j)]
                r.tpl, r.params = i, self.event(i, r.t).params
                cands.append(r)
        if not cands:  # too few records
            return
        middle = np.median([abs(float(r.params[slot])) for r in cands])
        cands = [r for r in cands if abs(float(r.params[slot])) >= middle]  # 100x a typical value
        for j in self.rng.choice(len(cands), min(k, len(cands)), replace=False):
            r = cands[int(j)]
            r.params = {**r.params, slot: _scale(r.params[slot], 100)}
            r.anomaly = "out_of_range_param"

    def _disorder(self, recs: list[_Rec]) -> None:
        cands = [
            j
            for j in range(1, len(recs))
            if not recs[j].anomaly and recs[j - 1].t > self.t0 + 60_000
        ]
        k = min(len(cands), max(1, round(len(recs) / 1000)))
        last = -2
        for j in sorted(int(c) for c in self.rng.choice(cands, k, replace=False)):
            if j - last >= 2:  # never shift two neighbours
                recs[j].t = recs[j - 1].t - 1000 * int(self.rng.integers(2, 31))
                last = j


def _scale(value: str, factor: int) -> str:
    if "." not in value:
        return str(int(value) * factor)
    return f"{float(value) * factor:.{len(value.split('.')[1])}f}"


def _render(spec: Kind, recs: list[_Rec]) -> tuple[list[str], pd.DataFrame]:
    texts = [template_text(t, spec.mask) for t in spec.templates]
    lines: list[str] = []
    rows: dict[str, list] = {col: [] for col in TRUTH_COLUMNS}
    latest = None
    for r in recs:
        t = r.t - r.t % spec.resolution_ms
        text, level = spec.render(t, spec.templates[r.tpl], r.params)
        values = (
            len(lines) + 1, len(text), t, level, r.tpl + 1, texts[r.tpl], r.session,
            bool(r.anomaly), r.anomaly, latest is not None and t < latest, spec.format,
        )  # fmt: skip
        for col, value in zip(TRUTH_COLUMNS, values, strict=True):
            rows[col].append(value)
        latest = t if latest is None else max(latest, t)
        lines.extend(text)
    truth = pd.DataFrame(rows)
    stamps = pd.to_datetime(truth["timestamp"].astype("int64"), unit="ms", utc=True)
    truth["timestamp"] = stamps.astype("datetime64[ns, UTC]")
    return lines, truth
