"""Normalising severity levels to one ordered vocabulary.

Levels repeat a handful of values, so the work happens on the distinct values only
(Arrow's dictionary encoding finds them in C++) and costs nothing per row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import LEVELS

_ALIASES = {
    "EMERGENCY": ("EMERG", "EMERGENCY", "PANIC", "0"),
    "ALERT": ("ALERT", "1"),
    "CRITICAL": ("CRIT", "CRITICAL", "FATAL", "F", "C", "2"),
    "ERROR": ("ERR", "ERROR", "E", "SEVERE", "FAILURE", "FAIL", "FAILED", "3"),
    "WARNING": ("WARN", "WARNING", "W", "4"),
    "NOTICE": ("NOTICE", "N", "5"),
    "INFO": ("INFO", "INFORMATION", "INFORMATIONAL", "I", "6"),
    "DEBUG": ("DEBUG", "DBG", "D", "FINE", "CONFIG", "7"),
    "TRACE": ("TRACE", "T", "FINER", "FINEST", "VERBOSE", "V"),
}
_LOOKUP = {alias: level for level, aliases in _ALIASES.items() for alias in aliases}

#: The dtype of the ``level`` column: ordered from least to most severe.
LEVEL_DTYPE = pd.CategoricalDtype(list(reversed(LEVELS)), ordered=True)
#: Level name -> its code in ``LEVEL_DTYPE`` (a dict lookup; ``Index.get_loc`` costs more).
_LEVEL_CODE = {name: code for code, name in enumerate(LEVEL_DTYPE.categories)}


def normalize_level(value: str | None) -> str | None:
    """Canonical level of one raw value, or None when it is not a level.

    Examples
    --------
    >>> normalize_level("warn"), normalize_level("[E]"), normalize_level("combo")
    ('WARNING', 'ERROR', None)
    """
    if value is None:
        return None
    key = value.strip().strip("[]<>():").upper()
    return _LOOKUP.get(key)


#: Syslog severities by number (RFC 5424 section 6.2.1), in the order of ``LEVELS``.
_SYSLOG_SEVERITY = LEVELS[:8]


def level_from_pri(value: str | None) -> str | None:
    """The severity in a syslog PRI value (``facility * 8 + severity``).

    >>> level_from_pri("34"), level_from_pri("<13>"), level_from_pri("x")
    ('CRITICAL', 'NOTICE', None)
    """
    if value is None:
        return None
    v = value.strip().strip("<>")
    if not v.isdigit() or int(v) > 191:
        return None
    return _SYSLOG_SEVERITY[int(v) % 8]


def level_from_status(value: str | None) -> str | None:
    """A level for an HTTP status: 5xx ERROR, 4xx WARNING, 1xx-3xx INFO.

    >>> level_from_status("503"), level_from_status("404"), level_from_status("200")
    ('ERROR', 'WARNING', 'INFO')
    """
    if value is None:
        return None
    v = value.strip()
    if len(v) != 3 or not v.isdigit() or not 100 <= int(v) <= 599:
        return None
    return "ERROR" if v[0] == "5" else "WARNING" if v[0] == "4" else "INFO"


#: How a level is derived from a field that is not a level name (see ``Layout``).
DERIVED_LEVELS = {"pri": level_from_pri, "status": level_from_status}


def normalize_codes(codes: np.ndarray, categories, mapper=normalize_level) -> pd.Categorical:
    """Canonical levels from the codes of a categorical field (-1 = missing)."""
    lut = np.array(
        [-1 if (m := mapper(v)) is None else _LEVEL_CODE[m] for v in categories] + [-1],
        dtype=np.int8,  # pandas' code type for these few levels: from_codes keeps it
    )
    return pd.Categorical.from_codes(lut[codes], dtype=LEVEL_DTYPE, validate=False)


def normalize_levels(values: pa.Array | pa.ChunkedArray, mapper=normalize_level) -> pd.Categorical:
    """Map raw level strings to the ordered ``LEVEL_DTYPE`` categorical (NaN = unknown)."""
    encoded = pc.dictionary_encode(values)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = (
            encoded.combine_chunks()
            if encoded.num_chunks
            else pa.array([], pa.dictionary(pa.int32(), pa.large_string()))
        )
    if len(encoded) == 0:
        return pd.Categorical([], dtype=LEVEL_DTYPE)
    mapped = [mapper(v) for v in encoded.dictionary.to_pylist()]
    # one more entry, -1, for nulls: their indices point at it
    codes_for = np.array([-1 if m is None else _LEVEL_CODE[m] for m in mapped] + [-1], np.int8)
    indices = encoded.indices
    if indices.null_count:
        indices = pc.fill_null(indices, len(mapped))
    codes = codes_for[indices.to_numpy(zero_copy_only=False)]
    # codes are valid by construction: from_codes need not check them
    return pd.Categorical.from_codes(codes, dtype=LEVEL_DTYPE, validate=False)
