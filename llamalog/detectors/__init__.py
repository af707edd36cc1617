"""Anomaly detectors and :func:`detect`, which runs several and merges their findings.

* :class:`Autoencoder` — windows whose event counts a small autoencoder reconstructs badly;
* :class:`SequenceModel` — DeepLog-style next-event model over each window's events;
* :class:`PatternDetector` — lines with new or rare templates, parameter values out of
  their learned range or never seen;
* :class:`TimeSeriesDetector` — intervals whose per-template or per-level counts burst or
  drop against a robust baseline.

All follow the scikit-learn contract (keyword-only parameters, ``fit`` returns ``self``),
score with ``decision_function`` (higher = more anomalous), flag with ``predict`` using a
threshold calibrated on training data, explain with ``describe``, and save to a folder of
``params.json`` + ``weights.npz`` (never pickle). The neural models train with MLX or
numpy (``backend=``); scoring always runs in numpy, so a saved model scores the same
everywhere. :func:`detect` and :func:`anomalies` return the anomalies frame;
:class:`Labels` keeps analysts' feedback.
"""

from __future__ import annotations

from ._backend import blas_info
from ._base import BaseDetector, confidence
from .autoencoder import Autoencoder
from .feedback import Labels, recalibrate
from .pattern import PatternDetector
from .run import DEFAULT_METHODS, METHODS, anomalies, detect
from .sequence import SequenceModel
from .timeseries import TimeSeriesDetector

__all__ = [
    "DEFAULT_METHODS",
    "METHODS",
    "Autoencoder",
    "BaseDetector",
    "Labels",
    "PatternDetector",
    "SequenceModel",
    "TimeSeriesDetector",
    "anomalies",
    "blas_info",
    "confidence",
    "detect",
    "recalibrate",
]
