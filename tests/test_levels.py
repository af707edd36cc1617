"""Levels: every common vocabulary, the numeric mappers, and levels stated in messages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llamalog.parse.levels import (
    DERIVED_LEVELS,
    LEVEL_DTYPE,
    LEVEL_VOCABULARIES,
    MESSAGE_PREFIX,
    level_from_pino,
    level_from_pri,
    level_from_redis,
    level_from_status,
    level_from_syslog,
    level_from_windows,
    levels_in_messages,
    normalize_codes,
    normalize_level,
    normalize_levels,
)
from llamalog.schema import LEVELS

from . import reference as ref


@pytest.mark.parametrize(
    ("raw", "level"),
    [
        # syslog names and severities (journald PRIORITY)
        ("emerg", "EMERGENCY"), ("panic", "EMERGENCY"), ("alert", "ALERT"),
        ("crit", "CRITICAL"), ("err", "ERROR"), ("warning", "WARNING"), ("notice", "NOTICE"),
        ("info", "INFO"), ("debug", "DEBUG"), ("0", "EMERGENCY"), ("3", "ERROR"), ("7", "DEBUG"),
        # Apache httpd 2.4
        ("trace1", "TRACE"), ("trace8", "TRACE"), ("core:error", "ERROR"), ("ssl:warn", "WARNING"),
        ("mpm_event:notice", "NOTICE"), ("[proxy_fcgi:trace3]", "TRACE"),
        ("authz_core:debug", "DEBUG"),
        # Python, log4j, logback
        ("CRITICAL", "CRITICAL"), ("FATAL", "CRITICAL"), ("WARN", "WARNING"), ("TRACE", "TRACE"),
        # java.util.logging
        ("SEVERE", "ERROR"), ("CONFIG", "DEBUG"), ("FINE", "DEBUG"), ("FINER", "TRACE"),
        ("FINEST", "TRACE"),
        # Go slog, with offsets
        ("INFO+2", "INFO"), ("WARN-4", "WARNING"), ("ERROR+8", "ERROR"), ("DEBUG-4", "DEBUG"),
        # glog / klog, zap
        ("I", "INFO"), ("W", "WARNING"), ("E", "ERROR"), ("F", "CRITICAL"),
        ("dpanic", "EMERGENCY"), ("fatal", "CRITICAL"),
        # PostgreSQL
        ("DEBUG1", "DEBUG"), ("DEBUG5", "DEBUG"), ("LOG", "INFO"), ("DETAIL", "INFO"),
        ("HINT", "INFO"), ("STATEMENT", "INFO"), ("CONTEXT", "INFO"), ("QUERY", "INFO"),
        ("LOCATION", "INFO"), ("PANIC", "EMERGENCY"),
        # MongoDB, MySQL / MariaDB
        ("D2", "DEBUG"), ("Note", "INFO"), ("System", "INFO"), ("[Warning]", "WARNING"),
        # winston
        ("http", "INFO"), ("verbose", "TRACE"), ("silly", "TRACE"),
        # zerolog / Serilog / .NET console
        ("TRC", "TRACE"), ("DBG", "DEBUG"), ("INF", "INFO"), ("WRN", "WARNING"),
        ("ERR", "ERROR"), ("FTL", "CRITICAL"), ("PNC", "EMERGENCY"), ("VRB", "TRACE"),
        ("dbug", "DEBUG"), ("fail", "ERROR"), ("trce", "TRACE"),
        # Windows event names
        ("Information", "INFO"), ("Verbose", "TRACE"), ("Critical", "CRITICAL"),
        # not levels
        ("combo", None), ("", None), ("INFO+", None), ("x:error:y", None), ("Core:Error", "ERROR"),
        ("30", None), ("#", None), ("ERRORS", None), ("level", None),
    ],
)  # fmt: skip
def test_normalize_level_vocabularies(raw, level):
    assert normalize_level(raw) == level


def test_vocabulary_table_is_consistent_and_complete():
    for name, table in LEVEL_VOCABULARIES.items():
        assert table, name
        assert set(table.values()) <= set(LEVELS), name
    names = [n for n in LEVEL_VOCABULARIES if not n.startswith(("pino", "redis", "windows ("))]
    for name in names:
        for raw, level in LEVEL_VOCABULARIES[name].items():
            assert normalize_level(raw) == level, (name, raw)


@pytest.mark.parametrize(
    ("mapper", "raw", "level"),
    [
        (level_from_pino, "10", "TRACE"), (level_from_pino, "20", "DEBUG"),
        (level_from_pino, "30", "INFO"), (level_from_pino, "40", "WARNING"),
        (level_from_pino, "50", "ERROR"), (level_from_pino, "60", "CRITICAL"),
        (level_from_pino, "30.0", "INFO"), (level_from_pino, "35", "INFO"),
        (level_from_pino, "5", None), (level_from_pino, "info", None),
        (level_from_pino, None, None),
        (level_from_redis, ".", "DEBUG"), (level_from_redis, "-", "INFO"),
        (level_from_redis, "*", "NOTICE"), (level_from_redis, "#", "WARNING"),
        (level_from_redis, "W", None),
        (level_from_windows, "0", "INFO"), (level_from_windows, "1", "CRITICAL"),
        (level_from_windows, "2", "ERROR"), (level_from_windows, "3", "WARNING"),
        (level_from_windows, "4", "INFO"), (level_from_windows, "5", "TRACE"),
        (level_from_windows, "Information", "INFO"), (level_from_windows, "warning", "WARNING"),
        (level_from_windows, "6", None),
        (level_from_syslog, "0", "EMERGENCY"), (level_from_syslog, "6", "INFO"),
        (level_from_syslog, "8", None), (level_from_syslog, "info", None),
        (level_from_pri, "<11>", "ERROR"), (level_from_status, "500", "ERROR"),
    ],
)  # fmt: skip
def test_numeric_and_mark_mappers(mapper, raw, level):
    assert mapper(raw) == level


def test_derived_levels_keys():
    assert set(DERIVED_LEVELS) >= {"pri", "status", "pino", "redis", "windows", "syslog"}
    values = pa.array(["30", "50", None, "x"])
    got = normalize_levels(values, DERIVED_LEVELS["pino"])
    assert got.tolist()[:2] == ["INFO", "ERROR"] and pd.isna(got[2]) and pd.isna(got[3])
    codes = normalize_codes(np.array([0, 1, -1]), ["#", "*"], DERIVED_LEVELS["redis"])
    assert codes.tolist()[:2] == ["WARNING", "NOTICE"] and pd.isna(codes[2])


# ----------------------------------------------------------------------------- in messages

MESSAGES = [
    # start: a level word and a colon (sshd, postfix, git, PostgreSQL stderr, gcc)
    ('ERROR: relation "users" does not exist', "ERROR"),
    ("error: kex_exchange_identification: Connection closed by remote host", "ERROR"),
    ("fatal: no matching mac found: client hmac-sha1 server hmac-sha2-512", "CRITICAL"),
    ("warning: hostname example.com does not resolve to address 10.0.0.1", "WARNING"),
    ('FATAL:  password authentication failed for user "postgres"', "CRITICAL"),
    ("LOG:  checkpoint starting: time", "INFO"),
    ("DETAIL:  Key (id)=(1) already exists.", "INFO"),
    ("Warning: Permanently added 'github.com' (ED25519) to the list of known hosts.", "WARNING"),
    ("panic: runtime error: index out of range [3] with length 3", "EMERGENCY"),
    ("Error:", "ERROR"),
    # start: brackets
    ("[warn] mod_fcgid: process 1234 graceful kill fail", "WARNING"),
    ("[ERROR] Could not resolve dependencies for project", "ERROR"),
    ("[core:error] [pid 1234] AH00126: Invalid URI in request", "ERROR"),
    ("[ssl:warn] [pid 99] AH01909: server certificate does not include an ID", "WARNING"),
    ("[mpm_event:notice] [pid 1:tid 2] AH00489: Apache/2.4.58 configured", "NOTICE"),
    ("[proxy:trace3] [pid 7] proxy_util.c(2342): connecting", "TRACE"),
    ("<E> disk quota exceeded", "ERROR"),
    ("[I] listening on :8080", "INFO"),
    ("[INFO ] Starting service", "INFO"),
    ("[ Warning ] low memory", "WARNING"),
    ("[Note] InnoDB: Buffer pool(s) load completed", "INFO"),
    ("[System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections.", "INFO"),
    # start: upper-case word and a blank
    ("WARNING  Deprecated option --foo", "WARNING"),
    ("INFO Started Application in 3.2 seconds", "INFO"),
    ("CRITICAL\tdatabase unreachable", "CRITICAL"),
    # key=value and JSON-ish, anywhere in the prefix
    ('time=2026-12-07T22:16:21Z level=error msg="connect failed" err=timeout', "ERROR"),
    ("ts=1.7e9 caller=main.go:42 lvl=warn msg=slow", "WARNING"),
    ("t=2026-12-07T22:16:21+0000 lvl=eror msg=x", None),
    ("severity=ERROR component=auth", "ERROR"),
    ('{"level":"error","msg":"boom"}', "ERROR"),
    ('{"severity": "WARNING", "message": "x"}', "WARNING"),
    ("request done level = 'info' id=7", "INFO"),
    ("LEVEL=DEBUG x", "DEBUG"),
    ("a: b log_level=notice", "NOTICE"),
    ("levelname=INFO name=root", "INFO"),
    # not levels
    ("Failed password for root from 10.0.0.1 port 22 ssh2", None),
    ("no error found", None),
    ("error loading module foo", None),
    ("E: x", None),
    ("WARNING", None),
    ("Note: the service restarted", None),
    ("[Q] question", None),
    ("[pid 1234] started", None),
    ("[preauth] Connection closed", None),
    ("xlevel=error", None),
    ("level=errorish", None),
    ('x"level"=error', None),
    ("loglevel=verbose", None),
    ("Errors: 0", None),
    ("info.log rotated", None),
    ("", None),
    (None, None),
    ("x" * MESSAGE_PREFIX + " level=error", None),
    ("é" * (MESSAGE_PREFIX - 12) + " level=error", "ERROR"),
    ("é" * (MESSAGE_PREFIX - 11) + " level=error", None),
]


@pytest.mark.parametrize(("message", "level"), MESSAGES)
def test_levels_in_messages_real_programs(message, level):
    got = levels_in_messages(pa.array([message], pa.string())).tolist()[0]
    assert (None if pd.isna(got) else got) == level
    assert ref.message_level(message) == level


def test_levels_in_messages_shapes():
    many = pa.chunked_array([[m for m, _ in MESSAGES[:10]], [m for m, _ in MESSAGES[10:]]])
    got = levels_in_messages(many)
    assert got.dtype == LEVEL_DTYPE and len(got) == len(MESSAGES)
    assert [None if pd.isna(v) else v for v in got] == [lvl for _, lvl in MESSAGES]
    assert len(levels_in_messages(pa.array([], pa.large_string()))) == 0
    assert pd.isna(levels_in_messages(pa.nulls(2))).all()
    with pytest.raises(TypeError, match="pyarrow string array"):
        levels_in_messages(["ERROR: x"])  # type: ignore[arg-type]


_PIECES = [
    "error", "Error", "ERROR", "err", "warn", "WARNING", "Info", "fatal", "LOG", "DEBUG3",
    "trace4", "Note", "E", "I", "level", "Level", "lvl", "severity", "log_level", "levelname",
    "core", "x", "_", "1", " ", "\t", ":", "=", "\"", "'", "[", "]", "<", ">", "{", "é",
    "\x1b[31m", "\x1b[1;33m", "\x1b[0m", "\x1b[", "\x1b",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.lists(st.sampled_from(_PIECES), max_size=12).map("".join),
            st.text(max_size=30),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_levels_in_messages_matches_twin(messages):
    got = levels_in_messages(pa.array(messages, pa.large_string())).tolist()
    assert [None if pd.isna(v) else v for v in got] == [ref.message_level(m) for m in messages]
