"""Data with ground truth: synthetic logs with planted anomalies and Loghub-2k samples.

Examples
--------
>>> from llamalog.datasets import synthetic
>>> log = synthetic("app", n_lines=200, seed=3)
>>> log.truth.columns[:4].tolist()
['line', 'n_lines', 'timestamp', 'level']
"""

from __future__ import annotations

from .loghub import LoghubLayoutError, LoghubSample, load_loghub, loghub_datasets
from .synthetic import (
    ANOMALY_KINDS,
    KINDS,
    TRUTH_COLUMNS,
    SyntheticLog,
    read_truth,
    synthetic,
)

__all__ = [
    "ANOMALY_KINDS",
    "KINDS",
    "TRUTH_COLUMNS",
    "LoghubLayoutError",
    "LoghubSample",
    "SyntheticLog",
    "load_loghub",
    "loghub_datasets",
    "read_truth",
    "synthetic",
]
