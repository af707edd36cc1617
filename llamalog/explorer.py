"""An ipywidgets explorer for JupyterLab: filter records, drill into anomalies, label them.

``llamalog.explore(frame, anomalies)`` shows, above a page of matching records:

- filters: a time range, levels, a template and a text (substring, or a regular
  expression), combined; the record count and an activity chart follow them;
- with an anomalies frame (from :func:`llamalog.detect`), a list of anomalies, most
  confident first: picking one shows its explanation and context lines, narrows the
  records to its lines, and its buttons write a label (true anomaly or false alarm,
  with a note) to a :class:`~llamalog.Labels` file that ``detect(labels=...)`` reuses.

Everything a widget shows from the log is escaped HTML. The filtering is
:func:`filter_frame`, a plain function, usable without widgets.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import schema as S
from ._optional import import_optional

__all__ = ["Explorer", "explore", "filter_frame"]

#: Columns of the record table, when the frame has them.
TABLE_COLUMNS = ("line", "timestamp", "level", "template_id", "message")


def filter_frame(
    frame: pd.DataFrame,
    *,
    start=None,
    end=None,
    levels=None,
    templates=None,
    text: str | None = None,
    regex: bool = False,
    lines: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """The rows of ``frame`` that pass every filter given (None: no filter).

    Parameters
    ----------
    start, end : timestamp-like, optional
        Keep records with ``start <= timestamp < end`` (records without a time are
        dropped once either is given).
    levels : iterable of str, optional
        Keep these levels (``"(none)"`` keeps records without a level).
    templates : iterable of int, optional
        Keep these template ids.
    text : str, optional
        Keep messages containing it, ignoring case; with ``regex`` a regular expression
        (Python syntax) searched in the message.
    lines : (first, last), optional
        Keep records whose first line is in ``first..last``.

    Raises
    ------
    ValueError
        ``regex`` is set and ``text`` is not a valid regular expression.
    """
    keep = np.ones(len(frame), dtype=bool)
    if (start is not None or end is not None) and S.TIMESTAMP in frame:
        ts = frame[S.TIMESTAMP]
        keep &= ts.notna().to_numpy()
        if start is not None:
            keep &= (ts >= _utc(start)).fillna(False).to_numpy()
        if end is not None:
            keep &= (ts < _utc(end)).fillna(False).to_numpy()
    if levels is not None and S.LEVEL in frame:
        wanted = set(levels)
        level = frame[S.LEVEL].astype(object)
        keep &= (level.isin(wanted) | (level.isna() & ("(none)" in wanted))).to_numpy()
    if templates is not None and "template_id" in frame:
        keep &= frame["template_id"].isin(list(templates)).to_numpy()
    if text:
        messages = frame[S.MESSAGE].astype(str)
        if regex:
            try:
                pattern = re.compile(text)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {text!r} ({exc})") from exc
            keep &= messages.map(lambda m: pattern.search(m) is not None).to_numpy(dtype=bool)
        else:
            keep &= messages.str.contains(text, case=False, regex=False).to_numpy(dtype=bool)
    if lines is not None and S.LINE in frame:
        first, last = lines
        line = frame[S.LINE].to_numpy()
        keep &= (line >= first) & (line <= last)
    return frame[keep]


def _utc(value) -> pd.Timestamp:
    t = pd.Timestamp(value)
    return t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")


def _escape(value: object) -> str:
    return html.escape("" if value is None else str(value))


class Explorer:
    """The widgets of :func:`explore` and their state (see the module docstring).

    Attributes worth scripting: ``filtered`` (the current rows), ``levels``,
    ``template``, ``text``, ``regex``, ``time`` (widgets whose ``value`` can be set),
    ``anomaly`` (the selected anomaly's index) and :meth:`label`.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        anomalies: pd.DataFrame | None = None,
        *,
        labels=None,
        page_size: int = 50,
    ) -> None:
        w = import_optional("ipywidgets", extra="notebook")
        from .detectors.feedback import Labels

        S.validate_frame(frame, (S.MESSAGE,))
        self.frame = frame
        self.anomalies = (
            anomalies.sort_values("confidence", ascending=False, kind="stable")
            if anomalies is not None and len(anomalies)
            else None
        )
        self.labels = (
            labels if isinstance(labels, Labels) or labels is None else Labels(Path(labels))
        )
        self.page_size = page_size
        self.page = 0
        self.filtered = frame
        self._lines: tuple[int, int] | None = None

        levels = (
            [v for v in frame[S.LEVEL].cat.categories if (frame[S.LEVEL] == v).any()]
            if S.LEVEL in frame
            else []
        )
        self.levels = w.SelectMultiple(options=levels, value=(), description="levels", rows=5)
        options = [("all templates", None)]
        if "template_id" in frame:
            counts = frame["template_id"].value_counts()
            text = (
                frame.drop_duplicates("template_id").set_index("template_id")["template"]
                if "template" in frame
                else pd.Series(dtype=str)
            )
            for tid, n in counts.items():
                label = str(text.get(tid, tid))
                label = label if len(label) <= 70 else label[:67] + "..."
                options.append((f"[{tid}] {label} ({n})", int(tid)))
        self.template = w.Dropdown(options=options, value=None, description="template")
        self.text = w.Text(value="", placeholder="text in the message", description="text")
        self.regex = w.Checkbox(value=False, description="regex")
        self.time = self._time_slider(w)
        self.count = w.HTML()
        self.table = w.HTML()
        self.chart = w.Output()
        self.prev = w.Button(description="previous", icon="arrow-left")
        self.next = w.Button(description="next", icon="arrow-right")
        self.prev.on_click(lambda _: self._turn(-1))
        self.next.on_click(lambda _: self._turn(+1))
        for control in (self.levels, self.template, self.text, self.regex, self.time):
            if control is not None:
                control.observe(lambda _: self._refresh(reset=True), names="value")

        filters = [self.time] if self.time is not None else []
        filters += [w.HBox([self.levels, w.VBox([self.template, w.HBox([self.text, self.regex])])])]
        parts = [*filters, self.count, self.chart]
        self.anomaly_list = None
        if self.anomalies is not None:
            parts.insert(0, self._anomaly_panel(w))
        parts += [w.HBox([self.prev, self.next]), self.table]
        self.widget = w.VBox(parts)
        self._refresh(reset=True)

    # ------------------------------------------------------------------ widgets

    def _time_slider(self, w):
        if S.TIMESTAMP not in self.frame or not self.frame[S.TIMESTAMP].notna().any():
            return None
        ts = self.frame[S.TIMESTAMP].dropna()
        edges = pd.date_range(ts.min().floor("s"), ts.max().ceil("s"), periods=101).unique()
        if len(edges) < 2:
            return None
        options = [(t.strftime("%Y-%m-%d %H:%M:%S"), t) for t in edges]
        return w.SelectionRangeSlider(
            options=options,
            index=(0, len(options) - 1),
            description="time (UTC)",
            layout=w.Layout(width="95%"),
        )

    def _anomaly_panel(self, w):
        rows = []
        for i, (_, a) in enumerate(self.anomalies.iterrows()):
            span = f"lines {a.get('first_line')}-{a.get('last_line')}"
            rows.append((f"#{i + 1} {span}  {a['detector']}  confidence {a['confidence']:.2f}", i))
        self.anomaly_list = w.Select(options=rows, value=None, description="anomalies", rows=6)
        self.detail = w.HTML()
        self.note = w.Text(placeholder="why (optional)", description="note")
        self.is_anomaly = w.Button(description="true anomaly", button_style="danger")
        self.false_alarm = w.Button(description="false alarm", button_style="success")
        self.status = w.HTML()
        self.is_anomaly.on_click(lambda _: self.label(True))
        self.false_alarm.on_click(lambda _: self.label(False))
        self.anomaly_list.observe(lambda _: self._pick(), names="value")
        buttons = [self.note, self.is_anomaly, self.false_alarm]
        return w.VBox([self.anomaly_list, self.detail, w.HBox(buttons), self.status])

    # ------------------------------------------------------------------ actions

    @property
    def anomaly(self) -> int | None:
        """The index (in confidence order) of the selected anomaly, or None."""
        return None if self.anomaly_list is None else self.anomaly_list.value

    @anomaly.setter
    def anomaly(self, index: int | None) -> None:
        if self.anomaly_list is None:
            raise ValueError("this explorer was given no anomalies")
        self.anomaly_list.value = index

    def label(self, anomaly: bool) -> None:
        """Label the selected anomaly (True: a real one; False: a false alarm)."""
        if self.anomaly is None:
            self.status.value = "pick an anomaly first"
            return
        if self.labels is None:
            self.status.value = "no labels file: pass labels='labels.csv' to explore()"
            return
        row = self.anomalies.iloc[self.anomaly]
        self.labels.add(row, anomaly=anomaly, note=self.note.value)
        what = "true anomaly" if anomaly else "false alarm"
        self.status.value = (
            f"labelled #{self.anomaly + 1} as {what} in {_escape(self.labels.path)} "
            f"({len(self.labels.frame)} labels)"
        )

    def _pick(self) -> None:
        i = self.anomaly
        if i is None:
            self._lines = None
            self.detail.value = ""
        else:
            a = self.anomalies.iloc[i]
            self._lines = (int(a["first_line"]), int(a["last_line"]))
            context = a.get("context")
            items = "".join(f"<li><code>{_escape(c)}</code></li>" for c in (context or []))
            self.detail.value = (
                f"<b>{_escape(a['detector'])}</b>, score {float(a['score']):.3g}, "
                f"confidence {float(a['confidence']):.2f}: {_escape(a['explanation'])}"
                + (f"<ul>{items}</ul>" if items else "")
            )
        self._refresh(reset=True)

    def _turn(self, step: int) -> None:
        last = max((len(self.filtered) - 1) // self.page_size, 0)
        self.page = min(max(self.page + step, 0), last)
        self._render_table()

    def _refresh(self, *, reset: bool) -> None:
        start = end = None
        if self.time is not None:
            lo, hi = self.time.value
            first, last = self.time.options[0][1], self.time.options[-1][1]
            start = lo if lo != first else None
            end = hi if hi != last else None
        try:
            self.filtered = filter_frame(
                self.frame,
                start=start,
                end=end,
                levels=self.levels.value or None,
                templates=None if self.template.value is None else [self.template.value],
                text=self.text.value or None,
                regex=self.regex.value,
                lines=self._lines,
            )
            problem = ""
        except ValueError as exc:
            self.filtered = self.frame.iloc[:0]
            problem = f" <i>{_escape(exc)}</i>"
        if reset:
            self.page = 0
        self.count.value = f"<b>{len(self.filtered):,}</b> of {len(self.frame):,} records{problem}"
        self._render_table()
        self._render_chart()

    def _render_table(self) -> None:
        cols = [c for c in TABLE_COLUMNS if c in self.filtered.columns]
        lo = self.page * self.page_size
        page = self.filtered.iloc[lo : lo + self.page_size][cols]
        # to_html escapes every cell: log text is shown, never interpreted
        self.table.value = page.to_html(index=False, escape=True, na_rep="", border=0)

    def _render_chart(self) -> None:
        from IPython.display import display

        self.chart.clear_output(wait=True)
        if S.TIMESTAMP not in self.filtered or not self.filtered[S.TIMESTAMP].notna().any():
            return
        from . import charts

        with self.chart:
            display(charts.timeline(self.filtered, height=120))

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def explore(
    frame: pd.DataFrame,
    anomalies: pd.DataFrame | None = None,
    *,
    labels=None,
    page_size: int = 50,
) -> Explorer:
    """An :class:`Explorer` of ``frame`` (and ``anomalies``); the notebook shows it.

    ``labels``: a path (or :class:`~llamalog.Labels`) where the anomaly buttons write.

    Examples
    --------
    >>> import llamalog  # doctest: +SKIP
    >>> frame = llamalog.add_templates(llamalog.read_logs("app.log"))  # doctest: +SKIP
    >>> found = llamalog.detect(frame, train=0.5)  # doctest: +SKIP
    >>> llamalog.explore(frame, found, labels="labels.csv")  # doctest: +SKIP
    """
    return Explorer(frame, anomalies, labels=labels, page_size=page_size)
