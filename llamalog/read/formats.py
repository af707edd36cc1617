"""Formats: resolving a format argument to a layout, and detecting the format of a sample."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import FormatError, LlamalogWarning
from ..parse.engine import Layout, SourceState
from ..parse.fieldformat import FieldFormat
from ..parse.presets import JSONL, PRESETS
from .sources import Source, iter_blocks, iter_bytes, resolve_sources


def resolve_layout(
    format: str,
    *,
    multiline: bool | None,
    message: str | None,
    time_format: str | None,
    time_fields: list[str] | None,
) -> tuple[Layout | None, str]:
    """A :class:`Layout` for a preset name or a ``<Field>`` format string."""
    if not isinstance(format, str):
        raise FormatError(f"format must be a string, got {type(format).__name__}")
    if format == JSONL:
        return None, JSONL
    preset = PRESETS.get(format)
    if preset is not None:
        fmt = FieldFormat(preset.format)
        return (
            Layout.build(
                fmt,
                name=preset.name,
                message=message or preset.message,
                multiline=preset.multiline if multiline is None else multiline,
                time_fields=time_fields,
                time_format=time_format or preset.time_format,
            ),
            preset.name,
        )
    if "<" not in format:
        known = ", ".join(["auto", JSONL, *PRESETS])
        raise FormatError(
            f"unknown format {format!r}: give a preset name ({known}) or a header in "
            "<Field> notation such as '<Date> <Time> <Level> <Content>'"
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
    """What ``format="auto"`` chose, and how every candidate scored on the sample."""

    name: str
    format: str
    match_rate: float
    scores: pd.DataFrame

    def __str__(self) -> str:
        return f"{self.name} ({self.format!r}): {self.match_rate:.0%} of sample lines match"


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
        if src.fileobj is not None:
            head = src.fileobj.read(n_bytes)
            head = head.encode("utf-8", "surrogateescape") if isinstance(head, str) else head
            src.fileobj = _Prepended(head, src.fileobj)
            return _decoded_head(head)
        try:
            for buf, _ in iter_blocks(src, n_bytes, skip_unreadable=True):
                return buf[:n_bytes]
        except OSError:
            continue
    return np.zeros(0, dtype=np.uint8)


def _decoded_head(head: bytes) -> np.ndarray:
    src = Source(name="<sample>", fileobj=io.BytesIO(head))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LlamalogWarning)  # a cut compressed stream
        data = b"".join(iter_bytes(src))
    cut = data.rfind(b"\n") + 1 if len(data) >= len(head) else len(data)
    return np.frombuffer(data[: cut or len(data)], dtype=np.uint8)


def _score_layout(buf: np.ndarray, layout: Layout) -> tuple[float, float, float]:
    """(match rate, share of lines whose time parses, share whose level is a real level)."""
    from ..parse import _kernels as K
    from ..parse.engine import _field_spans, match_block, resolve_time
    from ..parse.levels import normalize_level
    from ..parse.timestamps import parse_times

    _, _, _, ss, se = K.scan_lines(buf)
    keep = se > ss
    ss, se = ss[keep], se[keep]
    if len(ss) == 0:
        return 0.0, 0.0, 0.0
    status, caps = match_block(buf, ss, se, layout.fmt)
    matched = np.flatnonzero(status == K.MATCHED)
    if not len(matched):
        return 0.0, 0.0, 0.0
    state = SourceState("sample")
    resolve_time(layout, state, buf, caps, matched)
    if state.time_format is None:
        return len(matched) / len(ss), 0.0, 0.0
    ts, te = _field_spans(layout, state.time_fields, caps, matched)
    _, failed = parse_times(buf, ts, te, state.time_format)
    timed = matched[~failed & (ts >= 0).any(axis=0)]
    level_ok = len(timed)
    if layout.level is not None:
        k = layout.fmt.fields.index(layout.level)
        level_ok = sum(
            normalize_level(buf[caps[2 * k, i] : caps[2 * k + 1, i]].tobytes().decode()) is not None
            for i in timed
        )
    n = len(ss)
    return len(matched) / n, len(timed) / n, level_ok / n


def detect_format(source, *, sample_bytes: int = 1 << 18) -> FormatGuess:
    """Guess the format of ``source`` among the presets and JSON lines.

    Each candidate is scored on a sample by the lines it reads well: ``0.7 * timed +
    0.3 * leveled``, where ``timed`` is the share of lines that match with a timestamp
    that parses and ``leveled`` the share that also carry a known level (or, for
    formats without a level field, the same as ``timed``). Ties go to the format with
    more fields. A format whose timestamps never parse scores 0; when every format
    does, the result is the ``raw`` preset: whole lines as messages.

    Examples
    --------
    >>> import io
    >>> detect_format(io.BytesIO(b"{}"))  # doctest: +SKIP
    """
    sources = resolve_sources(source)
    buf = _sample(sources, sample_bytes)
    rows = []
    text_lines = buf.tobytes().decode("utf-8", "replace").splitlines()
    from ..parse.jsonl import sniff_json_lines

    json_rate = sniff_json_lines(text_lines[:500])
    rows.append((JSONL, JSONL, json_rate, json_rate, json_rate, json_rate))
    for name, preset in PRESETS.items():
        layout, _ = resolve_layout(
            name, multiline=None, message=None, time_format=None, time_fields=None
        )
        if name == "raw":
            continue
        rate, time_ok, level_ok = _score_layout(buf, layout)
        score = 0.7 * time_ok + 0.3 * level_ok + 0.001 * len(layout.fmt.fields) * (time_ok > 0)
        rows.append((name, preset.format, rate, time_ok, level_ok, score))
    scores = pd.DataFrame(
        rows, columns=["name", "format", "match_rate", "time_ok", "level_ok", "score"]
    ).sort_values("score", ascending=False, kind="stable", ignore_index=True)
    best = scores.iloc[0]
    if best["score"] <= 0:
        raw = PRESETS["raw"]
        return FormatGuess(raw.name, raw.format, 0.0, scores)
    return FormatGuess(str(best["name"]), str(best["format"]), float(best["match_rate"]), scores)
