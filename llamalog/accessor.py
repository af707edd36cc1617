"""The ``frame.llamalog`` pandas accessor: llamalog's frame functions as methods.

Registered when :mod:`llamalog` is imported. Every method only delegates to the
function of the same name with the frame as first argument, so
``frame.llamalog.rate(every="1min")`` is ``llamalog.analyze.rate(frame, every="1min")``
and the docs of each method are those of its function. Nothing is stored on the frame.

>>> import llamalog, pandas as pd
>>> frame = pd.DataFrame({"message": ["open 17", "open 42", "close 17"]})
>>> frame = frame.llamalog.templates()
>>> frame.llamalog.frequency(by="template")["count"].tolist()
[2, 1]
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pandas as pd

from . import analyze
from .detectors import anomalies, detect
from .features import windows
from .templates import add_templates

__all__ = ["LlamalogAccessor"]


def _delegate(func: Callable[..., Any], name: str | None = None) -> Callable[..., Any]:
    @functools.wraps(func)
    def method(self: LlamalogAccessor, *args: Any, **kwargs: Any) -> Any:
        return func(self._frame, *args, **kwargs)

    if name is not None:
        method.__name__ = method.__qualname__ = name
    return method


@pd.api.extensions.register_dataframe_accessor("llamalog")
class LlamalogAccessor:
    """``frame.llamalog.<method>(...)`` calls ``<function>(frame, ...)``.

    Analyses: ``summary``, ``frequency``, ``rate``, ``new_templates``,
    ``rare_templates``, ``transitions``, ``cooccurrence``, ``parameter_profile``,
    ``compare``. Features and detection: ``templates`` (:func:`llamalog.add_templates`),
    ``windows``, ``detect``.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame

    summary = _delegate(analyze.summary)
    frequency = _delegate(analyze.frequency)
    rate = _delegate(analyze.rate)
    new_templates = _delegate(analyze.new_templates)
    rare_templates = _delegate(analyze.rare_templates)
    transitions = _delegate(analyze.transitions)
    cooccurrence = _delegate(analyze.cooccurrence)
    parameter_profile = _delegate(analyze.parameter_profile)
    compare = _delegate(analyze.compare)
    templates = _delegate(add_templates, "templates")
    windows = _delegate(windows)
    detect = _delegate(detect)

    def anomalies(self, detector: Any, *args: Any, **kwargs: Any) -> pd.DataFrame:
        """:func:`llamalog.anomalies` of a fitted ``detector`` over this frame."""
        return anomalies(detector, self._frame, *args, **kwargs)
