"""The ``llamalog`` command: parse logs, print analyses as text, JSON or CSV, run the demo."""

from __future__ import annotations

import json
import sys
import warnings
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ._io import atomic_write, safe_csv

app = typer.Typer(
    name="llamalog",
    help="Read, parse and analyse log files.",
    no_args_is_help=True,
    add_completion=False,
)

FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="'auto', a preset name (see 'llamalog formats') or a <Field> header format.",
    ),
]


class Output(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"


def _console():
    from rich.console import Console

    if sys.stdout.isatty():
        return Console(highlight=False)
    # piped or redirected: one line per row, never hard-wrapped at 80 columns (grep, cut)
    return Console(highlight=False, soft_wrap=True, width=100_000)


def _read(paths: list[str], format: str, multiline: bool | None, tz: str | None, columns=None):
    import llamalog

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", llamalog.LlamalogWarning)
        frame = llamalog.read_logs(
            paths if len(paths) > 1 else paths[0],
            format=format,
            multiline=multiline,
            tz=tz,
            columns=columns,
        )
    for w in caught:
        typer.echo(f"warning: {w.message}", err=True)
    return frame


def _print_table(table, output: Output, title: str) -> None:
    import pandas as pd

    if output is Output.json:
        records = table.astype(object).where(pd.notna(table), None).to_dict(orient="records")
        typer.echo(json.dumps(records, default=str, indent=2))
    elif output is Output.csv:
        safe_csv(table, sys.stdout, index=False)
    else:
        from rich.table import Table
        from rich.text import Text

        t = Table(title=title)
        for col in table.columns:
            t.add_column(Text(str(col)))
        for row in table.itertuples(index=False):
            # log text is untrusted: plain Text is never read as console markup
            t.add_row(*(Text("" if v is None else str(v)) for v in row))
        _console().print(t)


@app.command()
def parse(
    paths: Annotated[list[str], typer.Argument(help="Files, globs or directories.")],
    format: FormatOpt = "auto",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the table: .parquet or .csv")
    ] = None,
    multiline: Annotated[bool | None, typer.Option(help="Join continuation lines.")] = None,
    tz: Annotated[str | None, typer.Option(help="Zone of times without offset.")] = None,
    output: Annotated[Output, typer.Option("--output", help="How to print the summary.")] = (
        Output.text
    ),
) -> None:
    """Parse logs into a table and print its summary."""
    import llamalog

    frame = _read(paths, format, multiline, tz)
    typer.echo(f"format: {_formats_read(frame)}", err=True)
    if out is not None:
        write_table(frame, out)
        typer.echo(f"wrote {len(frame)} rows to {out}", err=True)
    _print_table(llamalog.summary(frame), output, "summary")


def _formats_read(frame) -> str:
    """The format(s) a read used, with their file counts when there are several."""
    meta = frame.attrs.get("llamalog", {})
    used = meta.get("formats") or {}
    if len(used) > 1:
        return ", ".join(f"{name} ({v['sources']} files)" for name, v in used.items())
    return str(meta.get("format"))


@app.command()
def formats(
    detect: Annotated[
        str | None, typer.Option("--detect", help="Score every format on a sample of this file.")
    ] = None,
    lnav: Annotated[
        list[Path] | None,
        typer.Option("--lnav", help="Also load lnav format files (.json) or folders of them."),
    ] = None,
    output: Annotated[Output, typer.Option("--output")] = Output.text,
) -> None:
    """List the format library (the names --format accepts), or score them on a file."""
    import pandas as pd

    import llamalog
    from llamalog.parse.presets import PRESETS

    if lnav:
        llamalog.load_lnav_formats(lnav)
    if detect is not None:
        guess = llamalog.detect_format(detect)
        typer.echo(f"chosen: {guess}", err=True)
        table = guess.scores.drop(columns=["format"]).round(3)
        _print_table(
            table[table["score"] > 0] if output is Output.text else table, output, "scores"
        )
        return
    rows = [(p.name, p.programs, p.description, p.format) for p in PRESETS.values()]
    table = pd.DataFrame(rows, columns=["name", "programs", "description", "format"])
    _print_table(table, output, "formats")


@app.command()
def detect(
    path: Annotated[str, typer.Argument(help="A file, glob or directory.")],
    output: Annotated[Output, typer.Option("--output")] = Output.text,
) -> None:
    """Show how each known format scores on a sample of PATH."""
    import llamalog

    guess = llamalog.detect_format(path)
    typer.echo(f"chosen: {guess}", err=True)
    _print_table(guess.scores.round(3), output, "format scores")


@app.command()
def templates(
    paths: Annotated[list[str], typer.Argument(help="Files, globs or directories.")],
    format: FormatOpt = "auto",
    miner: Annotated[
        Path | None,
        typer.Option(help="A saved miner (JSON) to start from, when the file exists."),
    ] = None,
    save: Annotated[Path | None, typer.Option(help="Write the miner (JSON) afterwards.")] = None,
    top: Annotated[int, typer.Option(help="Templates printed (all are written).")] = 30,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write every template: .csv or .json")
    ] = None,
    output: Annotated[Output, typer.Option("--output")] = Output.text,
) -> None:
    """Mine the message templates of logs and print the commonest, with their counts.

    With --miner the templates of a saved miner are kept (same ids) and new ones are
    added; --save writes the miner back, so runs over successive logs share one id
    space.
    """

    frame = _read(paths, format, None, None, columns=[])  # messages are all mining needs
    mined = _load_miner(miner)
    known = set(mined.templates_.index.tolist()) if miner is not None and miner.exists() else set()
    ids = mined.partial_fit(frame["message"]).transform(frame["message"])
    table = template_table(mined, ids, known)
    if save is not None:
        mined.save(save)
        typer.echo(f"wrote the miner to {save}", err=True)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".json":
            with atomic_write(out) as fh:
                table.to_json(fh, orient="records", indent=2)
        else:
            safe_csv(table, out, index=False)
        typer.echo(f"wrote {len(table)} templates to {out}", err=True)
    new = int(table["new"].sum())
    typer.echo(f"{len(frame)} records, {len(table)} templates ({new} new)", err=True)
    _print_table(table.head(top), output, "templates")


@app.command()
def follow(
    path: Annotated[str, typer.Argument(help="A log file, glob or directory to follow (tail -F).")],
    format: FormatOpt = "auto",
    from_start: Annotated[
        bool, typer.Option(help="Print the lines already in the file first.")
    ] = False,
    templates: Annotated[
        bool, typer.Option(help="Mine templates as lines arrive and mark each new one.")
    ] = True,
    miner: Annotated[
        Path | None, typer.Option(help="A saved miner (JSON) whose templates count as known.")
    ] = None,
    idle_timeout: Annotated[
        float | None, typer.Option(help="Stop after this many seconds without new lines.")
    ] = None,
    poll: Annotated[float, typer.Option(help="Seconds between looks at the file.")] = 0.5,
    output: Annotated[Output, typer.Option("--output")] = Output.text,
) -> None:
    """Print the records appended to a log file as it grows, parsed, with their template.

    Text output shows line, time, level, template id and message, and a line NEW
    TEMPLATE when a message fits no template seen before; json prints one JSON object
    per record (JSON lines), csv one row per record. Stop with Ctrl-C.
    """
    import llamalog

    mined = _load_miner(miner) if templates else None
    stream = llamalog.follow(path, format=format, from_start=from_start, poll=poll,
                             idle_timeout=idle_timeout)  # fmt: skip
    header = True
    several = Path(path).is_dir() or any(ch in path for ch in "*?[")
    try:
        for batch in stream:
            rows = _followed_rows(batch, mined)
            if output is Output.json:
                for record in rows.to_dict(orient="records"):
                    typer.echo(json.dumps(_jsonable(record), default=str))
            elif output is Output.csv:
                safe_csv(rows.drop(columns="new"), sys.stdout, index=False, header=header)
                header = False
            else:
                _print_followed(rows, several=several)
            sys.stdout.flush()
    except KeyboardInterrupt:
        pass


def _followed_rows(batch, mined):
    """The printed columns of a followed batch; ``new``: the record's template is new."""
    import numpy as np
    import pandas as pd

    import llamalog

    def text_or_none(col):
        if col not in batch:
            return None
        values = batch[col].astype(str).astype(object)
        return values.where(batch[col].notna().to_numpy(), None).to_numpy()

    rows = pd.DataFrame(
        {
            "source": batch["source"].astype(str).to_numpy() if "source" in batch else None,
            "line": batch["line"].to_numpy(),
            "timestamp": text_or_none("timestamp"),
            "level": text_or_none("level"),
        }
    )
    new = np.zeros(len(batch), dtype=bool)
    if mined is not None:
        try:
            before = set(mined.templates_.index.tolist())
        except llamalog.NotFittedError:  # nothing mined yet
            before = set()
        ids = mined.partial_fit(batch["message"]).transform(batch["message"])
        first = ~pd.Series(ids).duplicated().to_numpy()
        new = first & ~np.isin(ids, list(before))
        rows["template_id"] = ids
        rows["template"] = mined.templates_["template"].reindex(ids).to_numpy()
    rows["message"] = batch["message"].to_numpy(dtype=object)
    rows["new"] = new
    return rows


def _jsonable(record: dict) -> dict:
    """A record with NaN, NaT and numpy scalars made JSON's null and numbers (JSON has
    no NaN: ``json.dumps`` would write an invalid token)."""
    import math

    out = {}
    for key, value in record.items():
        if hasattr(value, "item") and not isinstance(value, (str, bytes)):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out[key] = value
    return out


def _print_followed(rows, several: bool = False) -> None:
    from rich.text import Text

    console = _console()
    for r in rows.itertuples(index=False):
        if r.new:
            console.print(Text(f"NEW TEMPLATE {r.template_id}: {r.template}", style="bold"))
        tid = f" [{r.template_id}]" if hasattr(r, "template_id") else ""
        when = r.timestamp or "-"
        where = f"{Path(r.source).name}:" if several and r.source else ""
        # log text is untrusted: plain Text is never read as console markup
        console.print(Text(f"{where}{r.line:>7} {when} {r.level or '-':<8}{tid} {r.message}"))


def _load_miner(path: Path | None):
    """The saved miner at ``path`` when the file exists, else a new one; a file that is
    not a miner ends the command with a clear error."""
    import llamalog

    if path is None or not path.exists():
        return llamalog.TemplateMiner()
    try:
        return llamalog.TemplateMiner.load(path)
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        typer.echo(f"error: cannot read miner {path}: {exc}", err=True)
        raise typer.Exit(2) from exc


def template_table(miner, ids, known: set):
    """Templates seen in ``ids``, commonest first: id, count, share, new, template, example."""
    import numpy as np
    import pandas as pd

    seen = ids[ids >= 0]
    counts = pd.Series(seen).value_counts()
    info = miner.templates_.loc[counts.index]
    return pd.DataFrame(
        {
            "template_id": counts.index.to_numpy(dtype=np.int64),
            "count": counts.to_numpy(dtype=np.int64),
            "share": np.round(counts.to_numpy() / max(len(ids), 1), 4),
            "new": [int(t) not in known for t in counts.index],
            "template": info["template"].to_numpy(dtype=object),
            "example": info["example"].to_numpy(dtype=object),
        }
    )


@app.command()
def anomalies(
    paths: Annotated[list[str], typer.Argument(help="Files, globs or directories.")],
    format: FormatOpt = "auto",
    session: Annotated[
        str | None, typer.Option(help="Session windows: a column or a regex over messages.")
    ] = None,
    every: Annotated[str | None, typer.Option(help="Fixed time windows, e.g. 1min.")] = None,
    size: Annotated[int | None, typer.Option(help="Windows of SIZE consecutive lines.")] = None,
    train: Annotated[
        str,
        typer.Option(help="Training part: a fraction of the rows (0.5) or a time (2024-05-01)."),
    ] = "0.5",
    methods: Annotated[
        str | None, typer.Option(help="Comma-separated: pattern,timeseries,sequence,autoencoder.")
    ] = None,
    labels: Annotated[Path | None, typer.Option(help="A labels CSV (llamalog.Labels).")] = None,
    top: Annotated[int, typer.Option(help="Anomalies printed (all are written).")] = 20,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write every anomaly: .csv or .json")
    ] = None,
    output: Annotated[Output, typer.Option("--output")] = Output.text,
) -> None:
    """Find anomalies in logs: train on a first part, score every window, print them."""
    import llamalog

    specs = {"session": session, "every": every, "size": size}
    chosen = {k: v for k, v in specs.items() if v is not None}
    if len(chosen) > 1:
        raise typer.BadParameter("give at most one of --session, --every, --size")
    try:
        split: float | str = float(train)
    except ValueError:
        split = train
    frame = _read(paths, format, None, None)
    names = [m.strip() for m in methods.split(",") if m.strip()] if methods else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", llamalog.LlamalogWarning)
        try:
            found = llamalog.detect(
                frame, names, windows=chosen or None, train=split, labels=labels
            )
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
    for w in caught:
        typer.echo(f"warning: {w.message}", err=True)
    flat = anomalies_table(found)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".json":
            with atomic_write(out) as fh:
                flat.to_json(fh, orient="records", date_format="iso", indent=2)
        else:
            safe_csv(flat, out, index=False)
        typer.echo(f"wrote {len(flat)} anomalies to {out}", err=True)
    typer.echo(f"{len(found)} anomalous windows", err=True)
    if output is Output.text:
        _print_anomalies(found.head(top))
        return
    cols = ["key", "start", "end", "first_line", "last_line", "confidence", "detector"]
    shown = flat[[*cols, "explanation", "context"]].head(top)
    _print_table(shown.assign(confidence=shown["confidence"].round(3)), output, "anomalies")


def _print_anomalies(found) -> None:
    """Each anomaly as a short block: where, how sure, why, and its lines."""
    from rich.text import Text

    console = _console()
    for i, row in enumerate(found.itertuples(index=False), 1):
        when = "" if row.start is None or str(row.start) == "NaT" else f"  {row.start}"
        head = Text(f"#{i} {row.key}{when}  lines {row.first_line}-{row.last_line}", "bold")
        head.append(f"  confidence {row.confidence:.2f}  [{row.detector}]", "")
        console.print(head)
        # log text is untrusted: plain Text is never read as console markup
        for sentence in str(row.explanation).split("; ["):
            console.print(Text("   " + (sentence if sentence.startswith("[") else "[" + sentence)))
        for line in row.context:
            console.print(Text(f"   > {line}", "dim"))


def anomalies_table(found):
    """An anomalies frame with its list columns joined, ready for CSV or JSON."""
    flat = found.copy()
    flat["context"] = [" | ".join(map(str, c)) for c in found["context"]]
    flat["rows"] = [" ".join(map(str, r)) for r in found["rows"]]
    return flat


def write_table(frame, path: Path) -> None:
    """Write a parsed frame as Parquet (or CSV when the suffix says so)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        safe_csv(frame, path, index=False)
    else:
        with atomic_write(path, "wb") as fh:
            frame.to_parquet(fh, index=False)


@app.command()
def report(
    paths: Annotated[list[str], typer.Argument(help="Files, globs or directories.")],
    format: FormatOpt = "auto",
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the report.")] = Path(
        "out/report"
    ),
    session: Annotated[
        str | None, typer.Option(help="Session windows: a column or a regex over messages.")
    ] = None,
    every: Annotated[str | None, typer.Option(help="Fixed time windows, e.g. 1min.")] = None,
    train: Annotated[
        str, typer.Option(help="Training part: a fraction of the rows (0.5) or a time.")
    ] = "0.5",
    top: Annotated[int, typer.Option(help="Templates and anomalies shown.")] = 15,
    notebook: Annotated[
        Path | None, typer.Option(help="Another notebook with a 'parameters' cell.")
    ] = None,
    html: Annotated[bool, typer.Option(help="Also export report.html.")] = True,
) -> None:
    """Run the report notebook on logs (papermill): executed notebook, HTML and tables.

    The same arguments give the same report, so it can run as a scheduled batch job.
    """
    from rich.text import Text

    import llamalog

    try:
        cut: float | str = float(train)
    except ValueError:
        cut = train
    files = llamalog.run_report(
        paths[0] if len(paths) == 1 else paths,
        out,
        format=format,
        session=session,
        every=every,
        train=cut,
        top=top,
        notebook=notebook,
        html=html,
    )
    console = _console()
    for name, path in files.items():
        console.print(Text(f"  {name:<15} {path}"))
    console.print(Text("Report in ") + Text(f"{out}/", style="bold"))


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the results.")] = Path(
        "out/demo"
    ),
) -> None:
    """Parse the bundled sample log and write its table and summary to OUT."""
    from rich.text import Text

    from llamalog.demo import run_demo

    result = run_demo(out)
    console = _console()
    console.print(Text("llamalog demo: parsed ", style="bold") + Text(str(result["log"])))
    _print_table(result["summary"], Output.text, "summary")
    for name, path in result["files"].items():
        console.print(Text(f"  {name:<10} {path}"))
    console.print(Text("Results are in ") + Text(f"{out}/", style="bold"))


def main() -> None:  # pragma: no cover - the console-script entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
