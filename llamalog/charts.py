"""Altair charts of parsed logs: activity over time, commonest templates, anomalies.

Each function takes a frame from :func:`llamalog.read_logs` (and what the analyses and
detectors return) and gives an :class:`altair.Chart` that renders in JupyterLab, saves
as HTML or JSON (``chart.save("timeline.html")``), and carries only the aggregated
numbers it draws: a million-line frame becomes a few hundred points. Log text reaches
the chart only as data values (tooltips, axis labels), which Vega renders as text.
"""

from __future__ import annotations

import json
import os

import altair as alt
import numpy as np
import pandas as pd

from . import schema as S
from .analyze import frequency, rate
from .parse.levels import LEVEL_DTYPE

__all__ = ["ScriptSafeJSONEncoder", "anomaly_timeline", "save_html", "template_bars", "timeline"]

#: Level colours, calm to alarming, in the order of :data:`LEVEL_DTYPE`.
LEVEL_COLOURS = {
    "TRACE": "#c7c7c7",
    "DEBUG": "#9ecae1",
    "INFO": "#3182bd",
    "NOTICE": "#6baed6",
    "WARNING": "#fdae6b",
    "ERROR": "#e6550d",
    "CRITICAL": "#a63603",
    "ALERT": "#7f2704",
    "EMERGENCY": "#4d1802",
}
_MISSING = "(none)"


def _level_scale() -> alt.Scale:
    levels = [*LEVEL_DTYPE.categories, _MISSING]
    return alt.Scale(domain=levels, range=[LEVEL_COLOURS.get(v, "#bdbdbd") for v in levels])


def timeline(
    frame: pd.DataFrame,
    *,
    every: str | pd.Timedelta | None = None,
    by: str | None = S.LEVEL,
    width: int = 700,
    height: int = 220,
) -> alt.Chart:
    """Records per interval as stacked bars, coloured by ``by`` (the level by default).

    ``every`` as for :func:`llamalog.analyze.rate` (chosen from the span when omitted);
    ``by=None`` draws one series. With another column than the level, the 9 commonest
    values get their own colour and the rest are summed as ``(other)``.
    """
    if by is not None and by not in frame.columns:
        by = None
    data = rate(frame, every=every, by=by)
    step = data.attrs["every"]
    if by is None:
        color = alt.value("#3182bd")
    else:
        data[by] = data[by].astype(object).where(data[by].notna(), _MISSING).astype(str)
        if by == S.LEVEL:
            color = alt.Color(f"{by}:N", scale=_level_scale(), sort=list(LEVEL_DTYPE.categories))
        else:
            top = data.groupby(by)["count"].sum().nlargest(9).index
            data[by] = data[by].where(data[by].isin(top), "(other)")
            data = data.groupby(["start", by], as_index=False)["count"].sum()
            color = alt.Color(f"{by}:N")
    data = data[data["count"] > 0] if by is not None else data
    tooltip = ["start:T", "count:Q", *([f"{by}:N"] if by is not None else [])]
    return (
        alt.Chart(_utc_naive(data), title=f"records per {step}")
        .mark_bar()
        .encode(
            x=alt.X("start:T", title=f"time (UTC, per {step})"),
            y=alt.Y("sum(count):Q", title="records"),
            color=color,
            tooltip=tooltip,
        )
        .properties(width=width, height=height)
    )


def template_bars(
    frame: pd.DataFrame, *, top: int = 20, width: int = 500, height: int | None = None
) -> alt.Chart:
    """The ``top`` commonest templates as horizontal bars (needs ``template_id``).

    Labels are the template text (shortened to 80 characters; the tooltip has it all),
    with the id, the count and the share of all records.
    """
    S.validate_frame(frame, ("template_id",))
    counts = frequency(frame, by="template_id", top=top, other=False)
    text = _template_texts(frame)
    counts["template"] = [text.get(int(t), str(t)) for t in counts["template_id"]]
    counts["label"] = [
        f"[{int(t)}] " + (s if len(s) <= 80 else s[:77] + "...")
        for t, s in zip(counts["template_id"], counts["template"], strict=True)
    ]
    return (
        alt.Chart(counts, title=f"commonest templates (top {len(counts)})")
        .mark_bar(color="#3182bd")
        .encode(
            x=alt.X("count:Q", title="records"),
            y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=500)),
            tooltip=[
                alt.Tooltip("template_id:Q", title="id"),
                alt.Tooltip("template:N"),
                alt.Tooltip("count:Q"),
                alt.Tooltip("share:Q", format=".2%"),
            ],
        )
        .properties(width=width, height=height or 18 * max(len(counts), 1))
    )


def anomaly_timeline(
    frame: pd.DataFrame,
    anomalies: pd.DataFrame,
    *,
    every: str | pd.Timedelta | None = None,
    top: int = 200,
    width: int = 700,
    height: int = 220,
) -> alt.LayerChart:
    """Records per interval as a line, with the ``top`` most confident anomalies as
    shaded spans (darker: more confident) whose tooltip gives the detector, score,
    confidence and explanation. ``anomalies``: a frame from :func:`llamalog.detect`."""
    data = rate(frame, every=every)
    step = data.attrs["every"]
    line = (
        alt.Chart(_utc_naive(data), title=f"records per {step}, anomalies shaded")
        .mark_line(color="#3182bd")
        .encode(
            x=alt.X("start:T", title=f"time (UTC, per {step})"),
            y=alt.Y("count:Q", title="records"),
            tooltip=["start:T", "count:Q"],
        )
    )
    spans = _anomaly_spans(anomalies, top)
    if spans.empty:
        return alt.layer(line).properties(width=width, height=height)
    shade = (
        alt.Chart(spans)
        .mark_rect(opacity=0.35, color="#e6550d")
        .encode(
            x="start:T",
            x2="end:T",
            opacity=alt.Opacity("confidence:Q", scale=alt.Scale(domain=[0, 1], range=[0.1, 0.6])),
            tooltip=[
                "start:T",
                "end:T",
                "detector:N",
                alt.Tooltip("score:Q", format=".3g"),
                alt.Tooltip("confidence:Q", format=".2f"),
                "explanation:N",
            ],
        )
    )
    return alt.layer(shade, line).properties(width=width, height=height)


# --------------------------------------------------------------------------- safe HTML


class ScriptSafeJSONEncoder(json.JSONEncoder):
    """JSON whose text holds no ``<``, ``>`` or ``&``: each is written ``\\u003c``... inside
    its string, which decodes to the same text. Log text in a chart's data (a template,
    an explanation) can then never close the ``<script>`` element the chart's HTML embeds
    its spec in (``</script><script>...``), whatever the page does with it."""

    def iterencode(self, o, _one_shot=False):
        for chunk in super().iterencode(o, _one_shot):
            yield chunk.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    def encode(self, o) -> str:
        return "".join(self.iterencode(o, _one_shot=True))


#: ``json_kwds`` for Altair's HTML output (``chart.save(..., json_kwds=SAFE_JSON)``).
SAFE_JSON = {"cls": ScriptSafeJSONEncoder}


def save_html(chart: alt.TopLevelMixin, path: str | os.PathLike) -> None:
    """Write ``chart`` as a standalone HTML page with its data escaped for ``<script>``."""
    chart.save(os.fspath(path), format="html", json_kwds=SAFE_JSON)


def _use_safe_renderer() -> None:
    """Render charts as HTML through :class:`ScriptSafeJSONEncoder`.

    Altair's default renderer writes the spec into a ``<script>`` as plain JSON, so a log
    line holding ``</script>`` could run script in the notebook or an exported report.
    Registered as the ``llamalog`` renderer and enabled while Altair's own HTML renderer
    is the active one (a renderer chosen by the user stays).
    """
    from altair.utils.display import HTMLRenderer

    alt.renderers.register(
        "llamalog",
        HTMLRenderer(
            mode="vega-lite",
            template="universal",
            vega_version=alt.VEGA_VERSION,
            vegaembed_version=alt.VEGAEMBED_VERSION,
            vegalite_version=alt.VEGALITE_VERSION,
            json_kwds=SAFE_JSON,
        ),
    )
    if alt.renderers.active in ("default", "html"):
        alt.renderers.enable("llamalog")


_use_safe_renderer()


# --------------------------------------------------------------------------- helpers


def _utc_naive(data: pd.DataFrame) -> pd.DataFrame:
    """Times as naive UTC: Vega-Lite would otherwise shift them to the viewer's zone."""
    out = data.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def _template_texts(frame: pd.DataFrame) -> dict[int, str]:
    if "template" not in frame.columns:
        return {}
    pairs = frame[["template_id", "template"]].drop_duplicates("template_id")
    return dict(zip(pairs["template_id"].astype(int), pairs["template"].astype(str), strict=True))


def _anomaly_spans(anomalies: pd.DataFrame, top: int) -> pd.DataFrame:
    """The anomalies that have times, most confident first, as chart rows."""
    need = {"start", "end", "score", "confidence", "detector", "explanation"}
    if anomalies is None or anomalies.empty or not need <= set(anomalies.columns):
        return pd.DataFrame()
    found = anomalies[anomalies["start"].notna() & anomalies["end"].notna()]
    found = found.sort_values(["confidence", "score"], ascending=False).head(top)
    end = pd.to_datetime(found["end"])
    start = pd.to_datetime(found["start"])
    # a window of one instant still gets a visible span: a second
    end = end.where(end > start, start + pd.Timedelta(seconds=1))
    spans = pd.DataFrame(
        {
            "start": start.to_numpy(),
            "end": end.to_numpy(),
            "detector": found["detector"].astype(str).to_numpy(),
            "score": found["score"].astype(float).to_numpy(),
            "confidence": np.clip(found["confidence"].astype(float).to_numpy(), 0, 1),
            "explanation": found["explanation"].astype(str).to_numpy(),
        }
    )
    spans["start"] = pd.to_datetime(spans["start"], utc=True)
    spans["end"] = pd.to_datetime(spans["end"], utc=True)
    return _utc_naive(spans)
