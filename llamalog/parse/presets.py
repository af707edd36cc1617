"""The format library: named log formats that ``read_logs(format=...)`` and detection know.

Each format is a :class:`Preset`: a ``<Field>`` header (see
:mod:`llamalog.parse.fieldformat`) or a JSON-lines flavour, plus what the reader needs to
know about it (the message field, whether unmatched lines continue the record before
them, the time format, how its level values read) and what detection needs to know (the
sample lines it must parse, and an optional *signature* that marks the program).

The built-in formats are in :mod:`llamalog.parse.library`; :func:`register_format` adds
your own, and :func:`llamalog.parse.lnav.load_lnav_formats` reads lnav's format files
into the same registry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..errors import FormatError

#: ``format="jsonl"`` reads JSON lines with keys found automatically.
JSONL = "jsonl"


@dataclass(frozen=True)
class Also:
    """Another line pattern of a format (a second logger writing into the same file).

    Its lines start records too; they carry their own time (``time_fields`` read with
    ``time_format``, both required when it has a time) and level field. Its message
    field, if any, has the primary's name.
    """

    format: str
    time_fields: tuple[str, ...] | None = None
    time_format: str | None = None
    level: str | None = None
    message: str | None = None
    samples: tuple[str, ...] = ()
    is_regex: bool = False


@dataclass(frozen=True)
class Preset:
    """One named format.

    Parameters
    ----------
    name : str
        What ``format=`` takes.
    format : str
        The ``<Field>`` header, a Python regular expression with named groups when
        ``is_regex``, or ``"jsonl"`` for a JSON-lines flavour.
    description : str
        One line: the layout, in words.
    programs : str
        The software that writes it.
    message : str or None
        The field holding the free text (None: the whole line).
    multiline : bool
        Lines that do not match continue the record before them (stack traces).
    time_format : str, optional
        The time format when it is fixed (else inferred from a sample).
    time_fields : tuple of str, optional
        The fields that hold the time, in order (else found from their names).
    level : str, optional
        The field holding the level (else found from its name: ``Level``, ``Severity``).
    level_rule : str, optional
        How the level field's values read: a rule of ``llamalog.parse.levels.DERIVED_LEVELS``
        (``"pri"``, ``"status"``, ``"redis"``, ``"pino"``...), for a field such as an HTTP
        status whose values are not level names.
    levels : mapping, optional
        This format's own level words, raw value -> canonical level; other values read
        by the common vocabulary.
    samples : tuple of str
        Lines of real logs that the format must parse (tests and detection use them).
    signature : str, optional
        A regular expression found in lines of this program alone; detection prefers
        a format whose signature is in the sample over one that only parses it.
    json : mapping, optional
        For a JSON-lines flavour: ``json_options`` defaults (``time_key``,
        ``level_key``, ``message_key``) and ``require``, the keys every record has.
    is_regex : bool
        ``format`` is a Python regular expression (formats imported from lnav).
    origin : str
        ``"builtin"``, ``"user"`` or the file it was read from.
    """

    name: str
    format: str
    description: str
    programs: str = ""
    message: str | None = "Content"
    multiline: bool = True
    time_format: str | None = None
    time_fields: tuple[str, ...] | None = None
    level: str | None = None
    level_rule: str | None = None
    levels: Mapping[str, str] | None = None
    samples: tuple[str, ...] = ()
    signature: str | None = None
    json: Mapping | None = None
    is_regex: bool = False
    origin: str = "builtin"
    #: More line patterns of the same log, tried on lines the header does not match.
    also: tuple[Also, ...] = ()
    #: A function raw value -> canonical level (lnav's level patterns), else None.
    level_function: Callable[[str | None], str | None] | None = field(
        default=None, repr=False, compare=False
    )
    _signature: re.Pattern | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.signature is not None:
            object.__setattr__(self, "_signature", re.compile(self.signature))

    @property
    def example(self) -> str:
        """The first sample line ('' when there is none)."""
        return self.samples[0] if self.samples else ""

    @property
    def is_json(self) -> bool:
        return self.json is not None or self.format == JSONL

    def signed(self, line: str) -> bool:
        """Whether ``line`` carries this format's signature."""
        return self._signature is not None and self._signature.search(line) is not None

    def level_mapper(self) -> Callable[[str | None], str | None] | None:
        """A function from a raw level value to a canonical level, when this format has
        its own level words; None for the common vocabulary."""
        if self.level_function is not None:
            return self.level_function
        if not self.levels:
            return None
        from .levels import normalize_level

        own = {k.strip().upper(): v for k, v in self.levels.items()}

        def mapper(value: str | None) -> str | None:
            if value is None:
                return None
            hit = own.get(value.strip().upper())
            return hit if hit is not None else normalize_level(value)

        return mapper


#: Every format by name, in detection order (specific before generic): the built-in
#: library, then formats registered at run time.
PRESETS: dict[str, Preset] = {}

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _check(preset: Preset) -> None:
    """Raise FormatError unless the preset compiles and parses each of its samples."""
    from ..schema import LEVELS

    if not _NAME.match(preset.name) or (
        preset.name in ("auto", "raw", JSONL) and (preset.origin != "builtin")
    ):
        raise FormatError(
            f"a format name must be letters, digits, '-', '_' or '.', and not 'auto', "
            f"'raw' or 'jsonl'; got {preset.name!r}"
        )
    for value in (preset.levels or {}).values():
        if value not in LEVELS:
            raise FormatError(f"format {preset.name!r}: level {value!r} is not one of {LEVELS}")
    if preset.is_json:
        return
    from .fieldformat import FieldFormat

    fmt = FieldFormat(preset.format, is_regex=preset.is_regex)
    for name in [*(preset.time_fields or ()), preset.level, preset.message]:
        if name is not None and name not in fmt.fields:
            raise FormatError(
                f"format {preset.name!r} names the field {name!r}, which {preset.format!r} "
                f"does not have (its fields: {fmt.fields})"
            )
    for alt in preset.also:
        other = FieldFormat(alt.format, is_regex=alt.is_regex)
        names = [*(alt.time_fields or ()), alt.level, alt.message]
        if alt.time_fields and not alt.time_format:
            raise FormatError(
                f"format {preset.name!r}: a pattern with time fields needs its time_format"
            )
        for name in names:
            if name is not None and name not in other.fields:
                raise FormatError(
                    f"format {preset.name!r}: {name!r} is not a field of {alt.format!r}"
                )
        for line in alt.samples:
            if other.regex.fullmatch(line.strip()) is None:
                raise FormatError(
                    f"format {preset.name!r}: sample {line!r} does not match {alt.format!r}"
                )
    for line in preset.samples:
        if fmt.regex.fullmatch(line.strip()) is None:
            raise FormatError(
                f"format {preset.name!r}: its sample line does not match its pattern:\n"
                f"  line:    {line!r}\n  pattern: {fmt.regex.pattern}"
            )


def register_format(
    name: str,
    format: str,
    *,
    description: str = "",
    time_format: str | None = None,
    time_fields: list[str] | tuple[str, ...] | None = None,
    message: str | None = None,
    level: str | None = None,
    levels: Mapping[str, str] | None = None,
    multiline: bool = True,
    samples: list[str] | tuple[str, ...] = (),
    signature: str | None = None,
    programs: str = "",
    replace: bool = False,
    is_regex: bool = False,
    also: list[Also | Mapping] | tuple = (),
    origin: str = "user",
) -> Preset:
    """Add a named format to the library, for ``read_logs(format=name)`` and detection.

    A format registered this way is tried by ``format="auto"`` before the built-in
    ones, so a house format wins over a generic layout that also parses its lines.

    Parameters
    ----------
    name : str
        The name ``format=`` will take.
    format : str
        A header in ``<Field>`` notation, e.g. ``"<Date> <Time> \\[<Level>\\] <Content>"``
        (``<Name:regex>`` gives a field its own pattern).
    time_format, time_fields : optional
        The time's strptime-style format and the fields it is read from.
    message, level : str, optional
        The message and level fields (found by name when omitted: ``Content``,
        ``Level``).
    levels : mapping, optional
        The format's own level words: ``{"crit": "CRITICAL", "ok": "INFO"}``.
    samples : list of str
        Lines the format must parse; each is checked now.
    signature : str, optional
        A regular expression that marks this program's lines (see :class:`Preset`).
    replace : bool
        Replace a format of the same name (else that is an error).
    also : list of Also or dict
        More line patterns of the same log (another logger writing into the file), tried
        on lines the header does not match: ``{"format": ..., "time_fields": [...],
        "time_format": ..., "level": ..., "message": ...}``.

    Returns
    -------
    Preset

    Raises
    ------
    FormatError
        The header does not parse, a sample does not match, a level is unknown, or
        the name is taken.

    Examples
    --------
    >>> p = register_format("house", "<Date> <Time> <Level:[A-Z]+> \\\\| <Content>",
    ...                     samples=["2026-12-07 10:00:00 OK | ready"], levels={"OK": "INFO"})
    >>> p.name, p.level_mapper()("ok")
    ('house', 'INFO')
    >>> unregister_format("house")
    """
    preset = Preset(
        name=name,
        format=format,
        description=description or f"registered format {format!r}",
        programs=programs,
        message=message if message is not None else _default_message(format, is_regex),
        multiline=multiline,
        time_format=time_format,
        time_fields=tuple(time_fields) if time_fields else None,
        level=level,
        levels=dict(levels) if levels else None,
        samples=tuple(samples),
        signature=signature,
        is_regex=is_regex,
        origin=origin,
        also=tuple(_also(a) for a in also),
    )
    _check(preset)
    if name in PRESETS and not replace:
        raise FormatError(
            f"a format named {name!r} exists ({PRESETS[name].origin}); pass replace=True "
            "or choose another name"
        )
    put_first(preset)
    return preset


def put_first(preset: Preset) -> None:
    """Put ``preset`` at the head of the registry (replacing one of its name): added
    formats come before the built-in ones, so on a tie detection takes them."""
    PRESETS.pop(preset.name, None)
    items = [(preset.name, preset), *PRESETS.items()]
    PRESETS.clear()
    PRESETS.update(items)


def _also(value: Also | Mapping) -> Also:
    if isinstance(value, Also):
        return value
    spec = dict(value)
    for key in ("time_fields", "samples"):
        if spec.get(key) is not None:
            spec[key] = tuple(spec[key])
    try:
        return Also(**spec)
    except TypeError as exc:
        raise FormatError(
            f"also= takes Also(...) or dicts with format, time_fields, time_format, level, "
            f"message, samples: {exc}"
        ) from None


def unregister_format(name: str) -> None:
    """Remove a format added with :func:`register_format` (built-in ones stay)."""
    preset = PRESETS.get(name)
    if preset is None:
        raise FormatError(f"no format named {name!r}")
    if preset.origin == "builtin":
        raise FormatError(f"{name!r} is a built-in format and cannot be removed")
    del PRESETS[name]


def format_table() -> str:
    """The built-in format library as a Markdown table (the README's copy is checked
    against it)."""
    rows = ["| name | written by | layout |", "| --- | --- | --- |"]
    for p in PRESETS.values():
        if p.origin != "builtin":
            continue
        layout = "JSON lines" if p.is_json else p.description
        if p.is_json and p.description:
            layout = p.description
        rows.append(f"| `{p.name}` | {p.programs or '-'} | {layout} |")
    return "\n".join(rows)


def _default_message(format: str, is_regex: bool) -> str | None:
    from .fieldformat import FieldFormat

    if format == JSONL:
        return None
    fields = FieldFormat(format, is_regex=is_regex).fields
    for name in ("Content", "content", "Message", "message", "msg", "body", "Body"):
        if name in fields:
            return name
    return None


def _load_builtin() -> None:
    from .library import BUILTIN

    for preset in BUILTIN:
        PRESETS[preset.name] = preset


_load_builtin()
