"""llamalog: lossless log parsing, template mining and anomaly detection for notebooks."""

from __future__ import annotations

from .errors import (
    FormatError,
    InvalidFileError,
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
    "InvalidFileError",
    "LlamalogError",
    "LlamalogWarning",
    "MissingDependencyError",
    "NotFittedError",
    "SchemaError",
    "SourceError",
    "__version__",
]

from .parse.lnav import load_lnav_formats
from .parse.presets import PRESETS, register_format, unregister_format
from .read.cache import convert
from .read.follow import follow
from .read.formats import FormatGuess, detect_format
from .read.reader import iter_logs, read_logs

__all__ += [
    "PRESETS",
    "FormatGuess",
    "convert",
    "detect_format",
    "follow",
    "iter_logs",
    "load_lnav_formats",
    "read_logs",
    "register_format",
    "unregister_format",
]

from . import accessor  # noqa: E402,F401  (registers frame.llamalog)

#: Names served on first use (PEP 562), so ``import llamalog`` loads only the reader:
#: the analyses, templates, windows and detectors (and scipy) load when first touched.
_LAZY = {
    "analyze": ("llamalog.analyze", None),
    "summary": ("llamalog.analyze", "summary"),
    "frequency": ("llamalog.analyze", "frequency"),
    "charts": ("llamalog.charts", None),
    "explore": ("llamalog.explorer", "explore"),
    "Explorer": ("llamalog.explorer", "Explorer"),
    "run_report": ("llamalog.reports", "run_report"),
    "Autoencoder": ("llamalog.detectors", "Autoencoder"),
    "Labels": ("llamalog.detectors", "Labels"),
    "PatternDetector": ("llamalog.detectors", "PatternDetector"),
    "SequenceModel": ("llamalog.detectors", "SequenceModel"),
    "TimeSeriesDetector": ("llamalog.detectors", "TimeSeriesDetector"),
    "anomalies": ("llamalog.detectors", "anomalies"),
    "detect": ("llamalog.detectors", "detect"),
    "UNSEEN": ("llamalog.features", "UNSEEN"),
    "Windows": ("llamalog.features", "Windows"),
    "WindowSpecError": ("llamalog.features", "WindowSpecError"),
    "windows": ("llamalog.features", "windows"),
    "TemplateMiner": ("llamalog.templates", "TemplateMiner"),
    "add_templates": ("llamalog.templates", "add_templates"),
    "evaluate_parsing": ("llamalog.templates", "evaluate_parsing"),
    "datasets": ("llamalog.datasets", None),
    "detectors": ("llamalog.detectors", None),
    "features": ("llamalog.features", None),
    "templates": ("llamalog.templates", None),
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'llamalog' has no attribute {name!r}")
    import importlib

    module_name, attr = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ += [
    "UNSEEN",
    "Autoencoder",
    "Explorer",
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
    "charts",
    "detect",
    "evaluate_parsing",
    "explore",
    "frequency",
    "run_report",
    "summary",
    "windows",
]
