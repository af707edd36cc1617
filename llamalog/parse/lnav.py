"""Read lnav's JSON format definitions into the format library.

People who use lnav keep their house formats as JSON files (``~/.lnav/formats/``,
``~/.config/lnav/formats/``). :func:`load_lnav_formats` turns each of them into a
:class:`~llamalog.parse.presets.Preset`: its ``regex`` patterns (PCRE named groups
become Python ones), ``timestamp-format``, ``level-field`` with its ``level`` mapping,
``body-field``, ``multiline`` and ``sample`` lines (several patterns with one time format
are one format, its other patterns tried on the lines the first does not match; with
several time formats, one format per pattern); a ``"json": true`` format becomes a
JSON-lines flavour keyed on its ``timestamp-field``, ``level-field`` and ``body-field``.
The file is data: nothing in it is run.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable
from pathlib import Path

from ..errors import FormatError, LlamalogWarning
from .presets import JSONL, PRESETS, Also, Preset, _check, put_first

#: lnav's level names -> llamalog's levels.
LNAV_LEVELS = {
    "trace": "TRACE",
    "debug": "DEBUG",
    "debug2": "DEBUG",
    "debug3": "DEBUG",
    "debug4": "DEBUG",
    "debug5": "DEBUG",
    "info": "INFO",
    "stats": "INFO",
    "notice": "NOTICE",
    "warning": "WARNING",
    "error": "ERROR",
    "critical": "CRITICAL",
    "fatal": "CRITICAL",
}
#: lnav's strftime extensions -> llamalog's time directives.
_TIME_CODES = (
    (".%L", "%.f"),
    (",%L", "%.f"),
    (".%f", "%.f"),
    (",%f", "%.f"),
    ("%L", "%f"),
    ("%i", "%Q"),
    ("%k", "%H"),
    ("%l", "%I"),
    ("%T", "%H:%M:%S"),
    ("%F", "%Y-%m-%d"),
)
_PCRE_GROUP = re.compile(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>")


def default_lnav_dirs() -> list[Path]:
    """Where lnav keeps the formats a user installed."""
    home = Path.home()
    return [home / ".lnav" / "formats", home / ".config" / "lnav" / "formats"]


def _time_format(value) -> str | None:
    formats = [value] if isinstance(value, str) else list(value or [])
    if len(formats) != 1:
        return None  # several layouts: infer from the data
    text = formats[0]
    for lnav, ours in _TIME_CODES:
        text = text.replace(lnav, ours)
    return text


class _LevelPatterns:
    """lnav's ``level`` mapping: a regular expression per level, tried in its order."""

    def __init__(self, mapping: dict[str, str]) -> None:
        self.rules = []
        for name, pattern in mapping.items():
            level = LNAV_LEVELS.get(str(name).lower())
            if level is None or not isinstance(pattern, str):
                continue
            self.rules.append((re.compile(pattern), level))

    def __call__(self, value: str | None) -> str | None:
        if value is None:
            return None
        for regex, level in self.rules:
            if regex.search(value):
                return level
        from .levels import normalize_level

        return normalize_level(value)


def preset_from_lnav(name: str, spec: dict, origin: str = "lnav") -> list[Preset]:
    """The presets of one lnav format definition (one per regex pattern)."""
    if not isinstance(spec, dict):
        raise FormatError(f"lnav format {name!r} is not a JSON object")
    samples = tuple(
        s["line"].splitlines()[0]
        for s in spec.get("sample", [])
        if isinstance(s, dict) and isinstance(s.get("line"), str) and s["line"].strip()
    )
    description = str(spec.get("description") or spec.get("title") or f"lnav format {name}")
    time_field = spec.get("timestamp-field", "timestamp")
    level_field = spec.get("level-field", "level")
    body_field = spec.get("body-field", "body")
    levels = spec.get("level") if isinstance(spec.get("level"), dict) else {}
    if spec.get("json"):
        return [
            Preset(
                name,
                JSONL,
                description,
                programs=f"lnav format from {origin}",
                json={
                    "time_key": time_field,
                    "level_key": level_field,
                    "message_key": body_field,
                    "require": (time_field,),
                },
                origin=origin,
            )
        ]
    patterns = spec.get("regex") or {}
    out = []
    compiled = []
    for key, entry in patterns.items():
        pattern = entry.get("pattern") if isinstance(entry, dict) else None
        if not isinstance(pattern, str):
            continue
        text = _PCRE_GROUP.sub(r"(?P<\1>", pattern)
        if not text.rstrip().endswith("$"):
            text = f"(?:{text}).*"
        try:
            groups = list(re.compile(text).groupindex)
        except re.error as exc:
            raise FormatError(f"lnav format {name!r}, pattern {key!r}: {exc}") from None
        own = [s for s in samples if re.fullmatch(text, s)]
        compiled.append((key, text, groups, own))
    time_format = _time_format(spec.get("timestamp-format"))
    if len(compiled) > 1 and time_format is not None:
        # one format whose other patterns are tried on the lines the first does not match
        (_, text, groups, own), rest = compiled[0], compiled[1:]
        also = tuple(
            Also(
                t,
                time_fields=(time_field,) if time_field in g else None,
                time_format=time_format if time_field in g else None,
                level=level_field if level_field in g else None,
                message=body_field if body_field in g else None,
                samples=tuple(o),
                is_regex=True,
            )
            for _, t, g, o in rest
        )
        compiled = [(name, text, groups, own)]
    else:
        also = ()
    for key, text, groups, own in compiled:
        preset = Preset(
            name if len(compiled) == 1 else f"{name}.{key}",
            text,
            description,
            level_function=_LevelPatterns(levels) if levels else None,
            programs=f"lnav format from {origin}",
            message=body_field if body_field in groups else None,
            multiline=bool(spec.get("multiline", True)),
            time_format=time_format,
            time_fields=(time_field,) if time_field in groups else None,
            level=level_field if level_field in groups else None,
            samples=tuple(own),
            is_regex=True,
            origin=origin,
            also=also,
        )
        out.append(preset)
    return out


def load_lnav_formats(
    paths: str | Path | Iterable[str | Path] | None = None, *, replace: bool = False
) -> list[Preset]:
    """Register the formats in lnav format files (or folders of them).

    Parameters
    ----------
    paths : path or list of paths, optional
        ``.json`` files or folders searched for them (default: lnav's format folders
        in the home directory).
    replace : bool
        Replace formats of the same names (else a name that exists is skipped with a
        warning).

    Returns
    -------
    list of Preset
        The formats registered; a file or pattern that cannot be read is skipped with a
        warning that says why.
    """
    if paths is None:
        paths = default_lnav_dirs()
    elif isinstance(paths, (str, Path)):
        paths = [paths]
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(p.rglob("*.json"))
        elif p.is_file():
            files.append(p)
    added = []
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            warnings.warn(f"skipped lnav format file {path}: {exc}", LlamalogWarning, stacklevel=2)
            continue
        if not isinstance(data, dict):
            continue
        for name, spec in data.items():
            if name.startswith("$"):
                continue
            try:
                presets = preset_from_lnav(name, spec, origin=str(path))
                for preset in presets:
                    _check(preset)
            except FormatError as exc:
                warnings.warn(
                    f"skipped lnav format {name!r} in {path}: {exc}", LlamalogWarning, stacklevel=2
                )
                continue
            for preset in presets:
                if preset.name in PRESETS and not replace:
                    warnings.warn(
                        f"lnav format {preset.name!r} in {path} has the name of a format that "
                        "exists; skipped (pass replace=True to use it)",
                        LlamalogWarning,
                        stacklevel=2,
                    )
                    continue
                put_first(preset)
                added.append(preset)
    return added
