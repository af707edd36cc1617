"""Anomaly detectors over window count vectors.

:class:`Autoencoder` scores windows by autoencoder reconstruction error, trained
with MLX when it is importable and with numpy otherwise. Detectors follow the
scikit-learn contract and save to a folder of ``params.json`` + ``weights.npz``.
"""

from __future__ import annotations

from ._base import BaseDetector
from .autoencoder import Autoencoder

__all__ = ["Autoencoder", "BaseDetector"]
