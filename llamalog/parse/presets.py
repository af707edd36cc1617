"""Named log formats that ``read_logs(format=...)`` and auto-detection know.

Each preset is a ``<Field>`` format (see :mod:`llamalog.parse.fieldformat`) plus what
the reader needs to know about it: which field is the message, whether lines that do
not match continue the record before them, and the time format when it is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    name: str
    format: str
    description: str
    message: str | None = "Content"
    multiline: bool = True
    time_format: str | None = None
    example: str = ""


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in [
        Preset(
            "syslog-rfc5424",
            r"<<Pri>><Version> <Timestamp> <Host> <App> <ProcId> <MsgId> "
            r"(-|\[<StructuredData>\])( <Content>)?",
            "syslog, RFC 5424",
            multiline=False,
            time_format="%Y-%m-%dT%H:%M:%S%.f%z",
            example="<34>1 2003-10-11T22:14:15.003Z host su - ID47 - 'su root' failed",
        ),
        Preset(
            "syslog",
            r"(<<Pri>>)?<Month> <Day> <Time> <Host> <Component>(\[<Pid>\])?: <Content>",
            "syslog, RFC 3164 (BSD); the year is inferred",
            multiline=False,
            time_format="%b %d %H:%M:%S",
            example="Mar  1 08:00:00 host1 sshd[1234]: Accepted password for alice",
        ),
        Preset(
            "apache-combined",
            r'<Host> <Ident> <User> \[<Time>\] "<Request>" <Status> <Size> '
            r'"<Referer>" "<UserAgent>"',
            "Apache/nginx combined access log",
            message="Request",
            multiline=False,
            time_format="%d/%b/%Y:%H:%M:%S %z",
            example='10.0.0.1 - - [01/Mar/2026:08:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl"',
        ),
        Preset(
            "apache-common",
            r'<Host> <Ident> <User> \[<Time>\] "<Request>" <Status> <Size>',
            "Apache/nginx common access log",
            message="Request",
            multiline=False,
            time_format="%d/%b/%Y:%H:%M:%S %z",
            example='10.0.0.1 - - [01/Mar/2026:08:00:00 +0000] "GET / HTTP/1.1" 200 512',
        ),
        Preset(
            "apache-error",
            r"\[<Time>\] \[<Level>\] <Content>",
            "Apache error log",
            example="[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok",
        ),
        Preset(
            "log4j",
            r"<Date> <Time> <Level> \[<Thread>\] <Component>: <Content>",
            "date time level [thread] logger: message (log4j, logback)",
            example="2026-03-01 08:00:00,123 INFO [main] com.example.App: started",
        ),
        Preset(
            "log4j-short",
            r"<Date> <Time> <Level> <Component>: <Content>",
            "date time level logger: message",
            example="17/06/09 20:10:40 INFO executor.Executor: Running task",
        ),
        Preset(
            "timestamp-level-message",
            r"<Date> <Time> <Level> <Content>",
            "date time level message",
            example="2026-03-01 08:00:00.123 WARNING disk almost full",
        ),
        Preset(
            "timestamp-bracket-level",
            r"<Date> <Time> \[<Level>\] <Content>",
            "date time [level] message",
            example="2026-03-01 08:00:00 [WARN] disk almost full",
        ),
        Preset(
            "iso-level-message",
            r"<Timestamp> <Level> <Content>",
            "ISO-8601 timestamp, level, message",
            example="2026-03-01T08:00:00Z INFO started",
        ),
        Preset(
            "bracket-timestamp-level",
            r"\[<Timestamp>\] <Level>:? <Content>",
            "[timestamp] level message",
            example="[2026-03-01T08:00:00Z] INFO started",
        ),
        Preset(
            "python-logging",
            r"<Level>:<Component>:<Content>",
            "Python logging's default LEVEL:logger:message",
            example="WARNING:root:disk almost full",
        ),
        Preset(
            "raw",
            r"<Content>",
            "whole lines as messages, nothing else parsed (what 'auto' falls back to)",
            multiline=False,
        ),
    ]
}

#: ``format="jsonl"`` reads JSON lines; it is not a ``<Field>`` format.
JSONL = "jsonl"
