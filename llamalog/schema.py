"""Column names shared by every llamalog frame, and frame validation."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .errors import SchemaError

SOURCE = "source"
LINE = "line"
N_LINES = "n_lines"
TIMESTAMP = "timestamp"
LEVEL = "level"
MESSAGE = "message"
PARSE_OK = "parse_ok"
FLAGS = "problems"

#: Columns every frame returned by :func:`llamalog.read_logs` has, in order.
BASE_COLUMNS = (SOURCE, LINE, N_LINES, TIMESTAMP, LEVEL, MESSAGE, PARSE_OK, FLAGS)

#: Text columns: pandas' ``str`` dtype over Arrow ``large_string`` arrays.
STR_DTYPE = pd.StringDtype("pyarrow", na_value=float("nan"))

#: Canonical levels, most to least severe (a categorical with this order).
LEVELS = ("EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG", "TRACE")


def validate_frame(frame: pd.DataFrame, required: Iterable[str] = (MESSAGE,)) -> None:
    """Raise :class:`SchemaError` when ``frame`` lacks a required column.

    Examples
    --------
    >>> validate_frame(pd.DataFrame({"message": ["a"]}))
    >>> validate_frame(pd.DataFrame({"text": ["a"]}))
    Traceback (most recent call last):
    ...
    llamalog.errors.SchemaError: the frame lacks column(s) ['message'] (it has ['text']); ...
    """
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"the frame lacks column(s) {missing} (it has {list(frame.columns)}); "
            "pass a frame from llamalog.read_logs or rename your columns"
        )
