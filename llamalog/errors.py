"""Exceptions and warnings raised by llamalog.

Caller mistakes raise a :class:`LlamalogError` subclass whose message says what
was expected, what was found and what to do. Problems in the data itself never
raise: they become flagged rows plus a :class:`LlamalogWarning`.
"""

from __future__ import annotations


class LlamalogError(Exception):
    """Base class of every error llamalog raises on purpose."""


class FormatError(LlamalogError, ValueError):
    """A log format specification is malformed or unknown."""


class SchemaError(LlamalogError, ValueError):
    """A DataFrame lacks the columns or dtypes a function needs."""


class SourceError(LlamalogError, OSError):
    """A log source cannot be found or opened."""


class NotFittedError(LlamalogError, ValueError, AttributeError):
    """A model was used before ``fit``."""


class MissingDependencyError(LlamalogError, ImportError):
    """An optional dependency is needed for this feature."""


class InvalidFileError(LlamalogError, ValueError):
    """A file llamalog reads back (a saved detector or miner, a labels file) is damaged,
    crafted or of another kind; the message names the file and the field or line.

    Attributes
    ----------
    path : pathlib.Path or None
        The file.
    field : str or None
        The field, array or line at fault, when one is.
    """

    def __init__(self, message: str, *, path=None, field: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.field = field


class LlamalogWarning(UserWarning):
    """Data problems that were handled (rows flagged, files skipped)."""
