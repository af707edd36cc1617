"""Batch reports: papermill runs a parameterized notebook on a log, then exports it.

:func:`run_report` executes ``report.ipynb`` (also at ``notebooks/03_report.ipynb``)
with the log and options as parameters, in a fresh kernel, and writes to ``out_dir``:

- ``report.ipynb``: the executed notebook, outputs included (open it in JupyterLab);
- ``report.html``: the same as a standalone page (unless ``html=False``);
- what the notebook writes itself (with :func:`write_tables`): ``summary.json``,
  ``templates.csv``, ``anomalies.csv`` and ``anomalies.json``. Every file is written
  atomically, and the CSV tables are safe to open in a spreadsheet: a cell of log text
  starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
  ``'`` so that it is not run as a formula (:func:`safe_csv`).

The same parameters give the same report: the detectors are seeded and the notebook
reads nothing else. Any notebook with a cell tagged ``parameters`` can be run instead
(``notebook=``); it receives ``path``, ``format``, ``session``, ``every``, ``train``,
``top`` and ``out_dir``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from .._io import atomic_write, safe_csv
from .._optional import import_optional

__all__ = ["REPORT_NOTEBOOK", "run_report", "safe_csv", "write_tables"]

#: The default report notebook (shipped with the package).
REPORT_NOTEBOOK = Path(__file__).with_name("report.ipynb")


def run_report(
    source: str | os.PathLike | list,
    out_dir: str | os.PathLike = "out/report",
    *,
    format: str = "auto",
    session: str | None = None,
    every: str | None = None,
    train: float | str = 0.5,
    top: int = 15,
    notebook: str | os.PathLike | None = None,
    html: bool = True,
    kernel_name: str | None = None,
    progress: bool = False,
) -> dict[str, Path]:
    """Run the report notebook on ``source`` and write everything to ``out_dir``.

    Parameters
    ----------
    source : path, glob, directory or a list of them
        The logs, as :func:`llamalog.read_logs` takes them (relative paths from here).
    out_dir : path
        Folder for the results (created).
    format, session, every, train, top
        Passed to the notebook: the log format, session windows (a column or a regex)
        or fixed windows (``"1min"``), what the detectors learn from, rows shown.
    notebook : path, optional
        Another notebook with a ``parameters`` cell.
    html : bool
        Also write ``report.html``.
    kernel_name : str, optional
        The Jupyter kernel to run it in (default: the notebook's, ``python3``).
    progress : bool
        Show papermill's progress bar.

    Returns
    -------
    dict
        Name -> path of each file written (``notebook``, ``html`` and the tables).

    Raises
    ------
    MissingDependencyError
        papermill or nbconvert is not installed (``pip install "llamalog[notebook]"``).
    papermill.PapermillExecutionError
        A cell failed; the partly executed notebook is still written, with the error.
    """
    papermill = import_optional("papermill", extra="notebook")
    out = Path(out_dir).expanduser().resolve()
    out.mkdir(parents=True, exist_ok=True)
    nb_in = Path(notebook) if notebook is not None else REPORT_NOTEBOOK
    if not nb_in.is_file():
        raise FileNotFoundError(f"no report notebook at {nb_in}")
    target = (
        [_absolute(s) for s in source] if isinstance(source, list | tuple) else _absolute(source)
    )
    executed = out / "report.ipynb"
    papermill.execute_notebook(
        str(nb_in),
        str(executed),
        parameters={
            "path": target,
            "format": format,
            "session": session,
            "every": every,
            "train": train,
            "top": int(top),
            "out_dir": str(out),
        },
        kernel_name=kernel_name,
        progress_bar=progress,
        cwd=str(out),
        kernel_manager_class="llamalog.reports._kernel.IPCKernelManager",
    )
    files = {"notebook": executed}
    if html:
        files["html"] = export_html(executed, out / "report.html")
    for name in ("summary.json", "templates.csv", "anomalies.csv", "anomalies.json"):
        if (out / name).exists():
            files[name.split(".")[0] + ("_json" if name == "anomalies.json" else "")] = out / name
    return files


def write_tables(out_dir: str | os.PathLike, *, source: Any, overview, templates, found) -> dict:
    """Write a report's tables to ``out_dir``, each atomically; CSV cells formula-safe.

    Parameters
    ----------
    out_dir : path
        The report folder.
    source : path or list
        What the report read (recorded in ``summary.json``).
    overview : DataFrame
        :func:`llamalog.summary` of the log (``metric``, ``value``).
    templates : DataFrame
        The template table (``templates.csv``).
    found : DataFrame
        :func:`llamalog.detect` output (``anomalies.csv`` without its list columns,
        ``anomalies.json`` with them).

    Returns
    -------
    dict
        Name -> path of each file written.
    """
    out = Path(out_dir)
    facts = {
        str(k): (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in overview.set_index("metric")["value"].items()
    }
    facts = {k: (None if isinstance(v, float) and v != v else v) for k, v in facts.items()}
    files = {name: out / name for name in ("summary.json", "templates.csv", "anomalies.csv")}
    files["anomalies.json"] = out / "anomalies.json"
    with atomic_write(files["summary.json"], "w", encoding="utf-8") as fh:
        json.dump({"source": str(source), **facts}, fh, indent=2, default=str)
    safe_csv(templates, files["templates.csv"], index=False)
    plain = found.drop(columns=[c for c in ("context", "rows") if c in found.columns])
    safe_csv(plain, files["anomalies.csv"], index=False)
    with atomic_write(files["anomalies.json"], "w", encoding="utf-8") as fh:
        found.to_json(fh, orient="records", date_format="iso", indent=1)
    return files


def _absolute(source: str | os.PathLike) -> str:
    """An existing path made absolute (the notebook runs in ``out_dir``); globs as given."""
    path = Path(os.fspath(source)).expanduser()
    return str(path.resolve()) if path.exists() else os.fspath(source)


def export_html(executed: Path, target: Path) -> Path:
    """A standalone HTML page of an executed notebook (nbconvert's lab template)."""
    nbformat = import_optional("nbformat", extra="notebook")
    exporters = import_optional("nbconvert", extra="notebook")
    nb = nbformat.read(executed, as_version=4)
    body, _ = exporters.HTMLExporter(template_name="lab").from_notebook_node(nb)
    with atomic_write(target, "w", encoding="utf-8") as fh:
        fh.write(body)
    return target
