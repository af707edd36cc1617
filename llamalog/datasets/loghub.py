"""Load Loghub-2k samples: a log, its structured ground truth and its templates.

A Loghub-2k folder (e.g. ``loghub-2k/HDFS``) holds ``<Name>_2k.log``,
``<Name>_2k.log_structured[_corrected].csv`` and
``<Name>_2k.log_templates[_corrected].csv``; the ``_corrected`` files win when both
exist. The header format of each dataset (Loghub ``<Field>`` notation) comes from a
``formats.json`` in the folder or its parent, keyed by dataset name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import FormatError, SourceError

_LAYOUT = (
    "a Loghub-2k folder <root>/<Name>/ holds <Name>_2k.log, "
    "<Name>_2k.log_structured[_corrected].csv, <Name>_2k.log_templates[_corrected].csv, "
    "and <root>/formats.json (or <root>/<Name>/formats.json) maps <Name> to its header format"
)


class LoghubLayoutError(SourceError, FileNotFoundError):
    """A Loghub folder or one of its files is missing."""


@dataclass(frozen=True, eq=False)
class LoghubSample:
    """One Loghub-2k dataset.

    ``truth`` is the structured CSV read as strings (``LineId``, the header fields,
    ``Content``, ``EventId``, ``EventTemplate``); ``templates`` has ``EventId`` and
    ``EventTemplate``.
    """

    name: str
    log_path: Path
    format: str
    truth: pd.DataFrame
    templates: pd.DataFrame


def loghub_datasets(root: str | Path) -> list[str]:
    """Names of the Loghub-2k datasets (folders holding ``<Name>_2k.log``) under ``root``.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "Demo").mkdir()
    >>> _ = (root / "Demo" / "Demo_2k.log").write_text("x\\n")
    >>> loghub_datasets(root)
    ['Demo']
    """
    root = Path(root)
    if not root.is_dir():
        raise LoghubLayoutError(f"no Loghub root folder at {root}; expected: {_LAYOUT}")
    found = (p for p in root.iterdir() if p.is_dir() and (p / f"{p.name}_2k.log").is_file())
    return sorted(p.name for p in found)


def load_loghub(folder: str | Path) -> LoghubSample:
    """Load the Loghub-2k dataset in ``folder`` (e.g. ``.../loghub-2k/HDFS``).

    Raises
    ------
    LoghubLayoutError
        (a :class:`~llamalog.errors.SourceError` and a :class:`FileNotFoundError`) when the
        folder, the log, a CSV or ``formats.json`` is missing.
    FormatError
        When ``formats.json`` has no entry for the dataset.

    Examples
    --------
    >>> load_loghub("/nonexistent/HDFS")
    Traceback (most recent call last):
    ...
    llamalog.datasets.loghub.LoghubLayoutError: no Loghub dataset folder at /nonexistent/HDFS; ...
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise LoghubLayoutError(f"no Loghub dataset folder at {folder}; expected: {_LAYOUT}")
    log = _log_file(folder)
    name = log.name.removesuffix("_2k.log")
    truth = _read_csv(_csv(folder, f"{log.name}_structured"), ("LineId", "EventId"))
    templates = _read_csv(_csv(folder, f"{log.name}_templates"), ("EventId", "EventTemplate"))
    return LoghubSample(name, log, _format(folder, name), truth, templates)


def _log_file(folder: Path) -> Path:
    log = folder / f"{folder.name}_2k.log"
    if log.is_file():
        return log
    logs = sorted(folder.glob("*_2k.log"))
    if len(logs) == 1:
        return logs[0]
    found = [p.name for p in logs] or sorted(p.name for p in folder.iterdir())[:10]
    raise LoghubLayoutError(f"{folder} has no single <Name>_2k.log (found {found}); {_LAYOUT}")


def _csv(folder: Path, stem: str) -> Path:
    for candidate in (folder / f"{stem}_corrected.csv", folder / f"{stem}.csv"):
        if candidate.is_file():
            return candidate
    others = sorted(folder.glob(f"{stem}*.csv"))
    if others:
        return others[0]
    raise LoghubLayoutError(f"{folder} lacks {stem}[_corrected].csv; expected: {_LAYOUT}")


def _read_csv(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding_errors="replace")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise SourceError(f"{path} lacks column(s) {missing} (it has {list(frame.columns)})")
    return frame


def _format(folder: Path, name: str) -> str:
    files = [d / "formats.json" for d in (folder, folder.parent) if (d / "formats.json").is_file()]
    if not files:
        raise LoghubLayoutError(
            f"no formats.json in {folder} or {folder.parent}; expected: {_LAYOUT}"
        )
    for path in files:
        formats = json.loads(path.read_text(encoding="utf-8"))
        if name in formats:
            return formats[name]
    keys = sorted(k for f in files for k in json.loads(f.read_text()) if not k.startswith("_"))
    raise FormatError(f"{' and '.join(map(str, files))} give no format for {name!r} (only {keys})")
