"""Formats: resolving a format argument to a layout, and detecting the format of a sample."""

from __future__ import annotations

import functools
import io
import json
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import FormatError, LlamalogWarning
from ..parse.engine import AltPattern, Layout
from ..parse.fieldformat import FieldFormat, FormatSet
from ..parse.presets import JSONL, PRESETS, Preset
from ..parse.scoring import score_layout
from ..parse.timestamps import TimeFormat
from .sources import Source, iter_blocks, iter_bytes, resolve_sources


@functools.lru_cache(maxsize=512)
def compiled_format(text: str, is_regex: bool = False) -> FieldFormat:
    """A compiled :class:`FieldFormat` (compiling the library's takes ~0.5 ms each, and
    detection tries every format on every file)."""
    return FieldFormat(text, is_regex=is_regex)


def preset_layout(preset: Preset, **overrides) -> Layout:
    """The :class:`Layout` of a header preset, with the caller's overrides."""
    fmt = compiled_format(preset.format, preset.is_regex)
    if preset.also:
        fmt = FormatSet([fmt, *(compiled_format(a.format, a.is_regex) for a in preset.also)])
    multiline = overrides.get("multiline")
    time_fields = overrides.get("time_fields") or (
        list(preset.time_fields) if preset.time_fields else None
    )
    return Layout.build(
        fmt,
        name=preset.name,
        message=overrides.get("message") or preset.message,
        multiline=preset.multiline if multiline is None else multiline,
        time_fields=time_fields,
        time_format=overrides.get("time_format") or preset.time_format,
        level=preset.level,
        level_rule=preset.level_rule,
        level_mapper=preset.level_mapper(),
        alts=tuple(
            AltPattern(
                time_fields=a.time_fields,
                time_format=TimeFormat.compile(a.time_format) if a.time_format else None,
                level=a.level,
                message=a.message,
            )
            for a in preset.also
        ),
    )


def json_defaults(name: str) -> dict:
    """The ``json_options`` a JSON-lines flavour of the library implies."""
    preset = PRESETS.get(name)
    if preset is None or not preset.json:
        return {}
    return {k: v for k, v in preset.json.items() if k not in ("require", "match")}


def resolve_layout(
    format: str,
    *,
    multiline: bool | None,
    message: str | None,
    time_format: str | None,
    time_fields: list[str] | None,
) -> tuple[Layout | None, str]:
    """A :class:`Layout` for a format name or a ``<Field>`` format string (None for
    JSON lines, with the flavour's name)."""
    if not isinstance(format, str):
        raise FormatError(f"format must be a string, got {type(format).__name__}")
    preset = PRESETS.get(format)
    if preset is not None and preset.is_json:
        return None, preset.name
    if preset is not None:
        layout = preset_layout(
            preset,
            multiline=multiline,
            message=message,
            time_format=time_format,
            time_fields=time_fields,
        )
        for name in time_fields or []:
            if name not in layout.fmt.fields:
                raise FormatError(
                    f"time field {name!r} is not a field of {format!r}: {layout.fmt.fields}"
                )
        return layout, preset.name
    if "<" not in format:
        known = ", ".join(["auto", *PRESETS])
        raise FormatError(
            f"unknown format {format!r}: give a format name ({known}; `llamalog formats` "
            "describes them) or a header in <Field> notation such as "
            "'<Date> <Time> <Level> <Content>'"
        )
    fmt = FieldFormat(format)
    if message is not None and message not in fmt.fields:
        raise FormatError(f"message={message!r} is not a field of {format!r}: {fmt.fields}")
    for name in time_fields or []:
        if name not in fmt.fields:
            raise FormatError(f"time field {name!r} is not a field of {format!r}: {fmt.fields}")
    layout = Layout.build(
        fmt,
        message=message,
        multiline=True if multiline is None else multiline,
        time_fields=time_fields,
        time_format=time_format,
    )
    return layout, "custom"


@dataclass(frozen=True)
class FormatGuess:
    """What ``format="auto"`` chose, how sure it is, and how every candidate scored.

    ``doubt`` is None when the choice is clear; otherwise it says why it is not (the
    best candidate reads few lines well, or another reads them about as well), and
    ``runner_up`` names the closest other format.
    """

    name: str
    format: str
    match_rate: float
    scores: pd.DataFrame
    score: float = 0.0
    doubt: str | None = None
    runner_up: str | None = None

    def __str__(self) -> str:
        text = f"{self.name} ({self.format!r}): {self.match_rate:.0%} of sample lines match"
        return text + (f"; unsure: {self.doubt}" if self.doubt else "")


#: Below this score the best format reads too little of the sample to be trusted.
WEAK = 0.5
#: Candidates within this score of the best are ties, broken by signature and
#: specificity; a runner-up within ``CLOSE`` that reads the lines differently is a doubt.
TIE, CLOSE = 0.02, 0.1
#: A sample whose best score is below this reads as ``raw``.
FLOOR = 0.1


def _generality() -> dict[str, int]:
    """For each header format, how many other formats' samples it parses: the more,
    the more generic it is (lnav orders its formats by the same cross-matching)."""
    key = tuple((p.name, p.format) for p in PRESETS.values())
    if _GENERALITY.get("key") == key:
        return _GENERALITY["value"]
    headers = [p for p in PRESETS.values() if not p.is_json and p.name != "raw"]
    regexes = {p.name: compiled_format(p.format, p.is_regex).regex for p in headers}
    out = {
        p.name: sum(
            any(regexes[p.name].fullmatch(line) for line in q.samples)
            for q in headers
            if q.name != p.name
        )
        for p in headers
    }
    _GENERALITY.update(key=key, value=out)
    return out


_GENERALITY: dict = {}


def _parses_samples_of(general: str, specific: str) -> bool:
    """Whether format ``general`` parses every sample line of ``specific``."""
    g, s = PRESETS.get(general), PRESETS.get(specific)
    if g is None or s is None or g.is_json or not s.samples or s.is_json:
        return False
    regex = compiled_format(g.format, g.is_regex).regex
    return all(regex.fullmatch(line) for line in s.samples)


def _json_flavour(lines: list[str]) -> tuple[str, float]:
    """The JSON-lines flavour whose required keys the sampled objects carry."""
    objects = []
    for line in lines[:200]:
        text = line.strip()
        if text.startswith("{"):
            try:
                obj = json.loads(text)
            except ValueError:
                continue
            if isinstance(obj, dict):
                objects.append(obj)
    if not objects:
        return JSONL, 0.0
    best, best_key = JSONL, (0.0, 0)
    for preset in PRESETS.values():
        required = (preset.json or {}).get("require")
        if not required:
            continue
        values = {k: re.compile(v) for k, v in ((preset.json or {}).get("match") or {}).items()}
        share = sum(
            all(k in obj for k in required)
            and all(re.fullmatch(rx, str(obj.get(k, ""))) for k, rx in values.items())
            for obj in objects
        ) / len(objects)
        key = (share, len(required))
        if share >= 0.9 and key > best_key:
            best, best_key = preset.name, key
    return best, best_key[0]


def detect_in_sample(buf: np.ndarray) -> FormatGuess:
    """Detect the format of a sample (the whole lines of a file's first bytes)."""
    text_lines = buf[: 1 << 16].tobytes().decode("utf-8", "replace").splitlines()
    from ..parse.jsonl import sniff_json_lines

    rows = []
    json_rate = sniff_json_lines(text_lines[:500])
    if json_rate >= 0.5:
        name, _ = _json_flavour(text_lines)
        rows.append((name, JSONL, json_rate, json_rate, 1.0, 0.0, json_rate, "JSON objects"))
    else:
        rows.append((JSONL, JSONL, json_rate, 0.0, 0.0, 0.0, 0.0, "not JSON lines"))
    head = text_lines[:200]
    signed = {p.name for p in PRESETS.values() if p.signature and any(map(p.signed, head))}
    for name, preset in PRESETS.items():
        if preset.is_json or name == "raw":
            continue
        try:
            layout = preset_layout(preset)
            sc = score_layout(buf, layout, max_lines=500 if preset.is_regex else 1000)
        except FormatError:
            continue
        rows.append(
            (
                name,
                preset.format,
                sc.match_rate,
                sc.time_ok,
                sc.level_ok,
                sc.continued,
                sc.score,
                sc.why,
            )
        )
    columns = ["name", "format", "match_rate", "time_ok", "level_ok", "continued", "score", "why"]
    scores = pd.DataFrame(rows, columns=columns)
    scores["signed"] = scores["name"].isin(signed)
    # a format that names its program's signature is not that program without it
    unsigned = ~scores["signed"] & scores["name"].map(
        lambda n: n in PRESETS and PRESETS[n].signature is not None
    )
    scores.loc[unsigned, "score"] *= 0.5
    scores.loc[unsigned, "why"] += ", without its program's signature"
    generality = _generality()
    scores["generality"] = [generality.get(n, 0) for n in scores["name"]]
    scores = scores.sort_values(
        ["score", "signed", "generality"],
        ascending=[False, False, True],
        kind="stable",
        ignore_index=True,
    )
    top = float(scores["score"].iloc[0])
    if top < FLOOR:
        raw = PRESETS["raw"]
        return FormatGuess(raw.name, raw.format, 0.0, scores, 0.0)
    # near-ties: a signature first, then the most specific, then the higher score
    ties = scores[scores["score"] >= top - TIE].sort_values(
        ["signed", "generality", "score"], ascending=[False, True, False], kind="stable"
    )
    best = ties.iloc[0]
    doubt, runner = None, None
    others = scores[scores["name"] != best["name"]]
    for _, row in others.iterrows():
        if row["score"] < best["score"] - CLOSE or row["score"] <= 0:
            break
        if row["generality"] > best["generality"]:
            continue  # a more generic layout also reads these lines: no rival
        # a generalisation of the choice (or the choice of it) reads the same lines
        if _parses_samples_of(row["name"], best["name"]) or _parses_samples_of(
            best["name"], row["name"]
        ):
            continue
        if best["signed"] and not row["signed"]:
            continue
        runner = str(row["name"])
        doubt = (
            f"{runner!r} reads the sample about as well ({row['score']:.2f} against "
            f"{best['score']:.2f})"
        )
        break
    if doubt is None and best["score"] < WEAK:
        runner = str(others.iloc[0]["name"]) if len(others) else None
        doubt = f"it reads only part of the sample well ({best['why']})"
    return FormatGuess(
        str(best["name"]),
        str(best["format"]),
        float(best["match_rate"]),
        scores,
        float(best["score"]),
        doubt,
        runner,
    )


class _Prepended(io.RawIOBase):
    """A stream that first returns ``head``, then the rest of ``stream``."""

    def __init__(self, head: bytes, stream) -> None:
        self.head, self.stream, self.name = head, stream, getattr(stream, "name", "<stream>")

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self.head:
            out, self.head = (
                (self.head, b"")
                if n < 0 or n >= len(self.head)
                else (
                    self.head[:n],
                    self.head[n:],
                )
            )
            return out
        data = self.stream.read(n)
        return data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data


def _sample(sources: list[Source], n_bytes: int = 1 << 18) -> np.ndarray:
    """The first bytes of the first readable source (streams are given them back)."""
    for src in sources:
        if src.fileobj is None and src.path is not None and _not_regular(src.path):
            try:  # a FIFO or a device: read once, so the sample is given back to the read
                src.fileobj = open(src.path, "rb")
            except OSError:
                continue
        if src.fileobj is not None:
            head = _read_head(src.fileobj, n_bytes)
            head = head.encode("utf-8", "surrogateescape") if isinstance(head, str) else head
            src.fileobj = _Prepended(head, src.fileobj)
            return _decoded_head(head)
        try:
            for buf, _ in iter_blocks(src, n_bytes, skip_unreadable=True):
                return buf[3:n_bytes] if bytes(buf[:3]) == b"\xef\xbb\xbf" else buf[:n_bytes]
        except OSError:
            continue
    return np.zeros(0, dtype=np.uint8)


def _not_regular(path) -> bool:
    try:
        return path.exists() and not path.is_file() and not path.is_dir()
    except OSError:
        return False


def _read_head(f, n_bytes: int) -> bytes:
    """Up to ``n_bytes`` from a stream, without waiting for more than it has once a line
    is complete (a FIFO's writer may be slow)."""
    read = getattr(f, "read1", None)
    if read is None:
        return f.read(n_bytes)
    head = b""
    while len(head) < n_bytes:
        chunk = read(n_bytes - len(head))
        if not chunk:
            break
        head += chunk.encode("utf-8", "surrogateescape") if isinstance(chunk, str) else chunk
        if b"\n" in head and len(head) >= 4096:
            break
    return head


def _decoded_head(head: bytes) -> np.ndarray:
    src = Source(name="<sample>", fileobj=io.BytesIO(head))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LlamalogWarning)  # a cut compressed stream
        data = b"".join(iter_bytes(src))
    cut = data.rfind(b"\n") + 1 if len(data) >= len(head) else len(data)
    return np.frombuffer(data[: cut or len(data)], dtype=np.uint8)


def detect_format(source, *, sample_bytes: int = 1 << 18) -> FormatGuess:
    """Guess the format of ``source`` among the format library and JSON lines.

    Each header format is scored on a sample from the start of the first readable
    source by :func:`llamalog.parse.scoring.score_layout`: the share of lines it reads
    with a plausible timestamp (and a real level, where it has a level field), with
    continuation lines counted in part. Formats whose time fields give no time, only
    midnight, or whose level field holds no levels score 0. Near-ties go to a format
    whose *signature* is in the sample, then to the most specific one (the one that
    parses the fewest other formats' samples). JSON lines are matched to the flavour
    whose keys they carry.

    The guess says when it is unsure (``doubt``): the best format reads under half of
    the lines, or a different format reads them about as well. With no format above
    0.1 the result is ``raw``: whole lines as messages.

    Examples
    --------
    >>> import io
    >>> detect_format(io.BytesIO(b"2026/12/07 22:16:21 [error] 12#12: *1 open() failed\\n")).name
    'nginx-error'
    """
    sources = resolve_sources(source)
    return detect_in_sample(_sample(sources, sample_bytes))
