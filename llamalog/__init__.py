"""llamalog: lossless log parsing, template mining and anomaly detection for notebooks."""

from __future__ import annotations

from .errors import (
    FormatError,
    LlamalogError,
    LlamalogWarning,
    MissingDependencyError,
    NotFittedError,
    SchemaError,
    SourceError,
)

__version__ = "0.1.0"

__all__ = [
    "FormatError",
    "LlamalogError",
    "LlamalogWarning",
    "MissingDependencyError",
    "NotFittedError",
    "SchemaError",
    "SourceError",
    "__version__",
]

from .parse.presets import PRESETS
from .read.cache import convert
from .read.formats import FormatGuess, detect_format
from .read.reader import iter_logs, read_logs

__all__ += ["PRESETS", "FormatGuess", "convert", "detect_format", "iter_logs", "read_logs"]

from . import accessor, analyze  # noqa: E402,F401  (accessor registers frame.llamalog)
from .analyze import summary  # noqa: E402
from .detectors import (  # noqa: E402
    Autoencoder,
    Labels,
    PatternDetector,
    SequenceModel,
    TimeSeriesDetector,
    anomalies,
    detect,
)
from .features import UNSEEN, Windows, WindowSpecError, windows  # noqa: E402
from .templates import TemplateMiner, add_templates, evaluate_parsing  # noqa: E402

__all__ += [
    "UNSEEN",
    "Autoencoder",
    "Labels",
    "PatternDetector",
    "SequenceModel",
    "TemplateMiner",
    "TimeSeriesDetector",
    "WindowSpecError",
    "Windows",
    "add_templates",
    "analyze",
    "anomalies",
    "detect",
    "evaluate_parsing",
    "summary",
    "windows",
]
