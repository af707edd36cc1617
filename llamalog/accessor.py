"""The ``frame.llamalog`` pandas accessor: llamalog's frame functions as methods.

Registered when :mod:`llamalog` is imported. Every method only delegates to the
function of the same name with the frame as first argument, so
``frame.llamalog.rate(every="1min")`` is ``llamalog.analyze.rate(frame, every="1min")``
and the docs of each method are those of its function. Nothing is stored on the frame,
and the functions' modules load on first use.

>>> import llamalog, pandas as pd
>>> frame = pd.DataFrame({"message": ["open 17", "open 42", "close 17"]})
>>> frame = frame.llamalog.templates()
>>> frame.llamalog.frequency(by="template")["count"].tolist()
[2, 1]
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

import pandas as pd

__all__ = ["LlamalogAccessor"]


class _Delegate:
    """A method calling ``module.function(frame, ...)``, imported when first used."""

    def __init__(self, module: str, function: str) -> None:
        self.module, self.function = module, function

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def _target(self) -> Any:
        return getattr(importlib.import_module(self.module), self.function)

    def __get__(self, obj: LlamalogAccessor | None, owner: type | None = None) -> Any:
        func = self._target()
        if obj is None:  # on the class: a function with the target's docs

            @functools.wraps(func)
            def unbound(accessor: LlamalogAccessor, *args: Any, **kwargs: Any) -> Any:
                return func(accessor._frame, *args, **kwargs)

            unbound.__name__ = unbound.__qualname__ = self.name
            return unbound

        @functools.wraps(func)
        def bound(*args: Any, **kwargs: Any) -> Any:
            return func(obj._frame, *args, **kwargs)

        bound.__name__ = bound.__qualname__ = self.name
        return bound


@pd.api.extensions.register_dataframe_accessor("llamalog")
class LlamalogAccessor:
    """``frame.llamalog.<method>(...)`` calls ``<function>(frame, ...)``.

    Analyses: ``summary``, ``frequency``, ``rate``, ``new_templates``,
    ``rare_templates``, ``transitions``, ``cooccurrence``, ``parameter_profile``,
    ``compare``. Features and detection: ``templates`` (:func:`llamalog.add_templates`),
    ``windows``, ``detect``, ``anomalies`` (its first argument is the fitted detector).
    Charts and exploration: ``timeline``, ``template_bars``, ``anomaly_timeline``
    (:mod:`llamalog.charts`), ``explore`` and ``filter``
    (:func:`llamalog.explorer.filter_frame`).
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    summary = _Delegate("llamalog.analyze", "summary")
    frequency = _Delegate("llamalog.analyze", "frequency")
    rate = _Delegate("llamalog.analyze", "rate")
    new_templates = _Delegate("llamalog.analyze", "new_templates")
    rare_templates = _Delegate("llamalog.analyze", "rare_templates")
    transitions = _Delegate("llamalog.analyze", "transitions")
    cooccurrence = _Delegate("llamalog.analyze", "cooccurrence")
    parameter_profile = _Delegate("llamalog.analyze", "parameter_profile")
    compare = _Delegate("llamalog.analyze", "compare")
    templates = _Delegate("llamalog.templates", "add_templates")
    windows = _Delegate("llamalog.features", "windows")
    detect = _Delegate("llamalog.detectors", "detect")
    timeline = _Delegate("llamalog.charts", "timeline")
    template_bars = _Delegate("llamalog.charts", "template_bars")
    anomaly_timeline = _Delegate("llamalog.charts", "anomaly_timeline")
    explore = _Delegate("llamalog.explorer", "explore")
    filter = _Delegate("llamalog.explorer", "filter_frame")

    def anomalies(self, detector: Any, *args: Any, **kwargs: Any) -> pd.DataFrame:
        """:func:`llamalog.anomalies` of a fitted ``detector`` over this frame."""
        from .detectors import anomalies

        return anomalies(detector, self._frame, *args, **kwargs)
