"""Cut excerpts of the real server logs and derive their expectations.

Usage: python benchmarks/reallogs/servers_cut.py benchmarks/data/reallogs datasets/real
(normally called by benchmarks/reallogs/collect_servers.sh as its last step "cut").

For every excerpt below: read the full log written by collect_servers.sh, choose a contiguous window
of whole records (20..300 lines, < 60 KB, starting at an anchor such as the first error), copy it
unmodified to datasets/real/<name>, and write <name>.expect.json whose "records" come from a regex
written here for that program's documented layout (llamalog is NOT used). Each parser returns, for
one physical line, None when the line continues the record above (stack trace, indented line, text
without the record prefix) or (timestamp_iso_utc_or_None, canonical_level_or_None) when it starts
a record.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

MONTHS = {
    m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)
}
ZONES = {"UTC": 0, "GMT": 0, "CET": 60, "CEST": 120}  # minutes east of UTC


def iso(y, mo, d, h, mi, s, frac=None, offset_min=0):
    """UTC ISO 8601 string with exactly the fraction digits the log wrote."""
    t = dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s)) - dt.timedelta(
        minutes=offset_min
    )
    out = t.strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        out += "." + frac
    return out + "Z"


def epoch_iso(sec: str) -> str:
    """'1796688093.919' -> ISO with the same fraction digits."""
    whole, _, frac = sec.partition(".")
    t = dt.datetime.fromtimestamp(int(whole), dt.UTC)
    return iso(t.year, t.month, t.day, t.hour, t.minute, t.second, frac or None)


def offset_minutes(text: str) -> int:
    if text in ("Z", "z"):
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return sign * (int(digits[:2]) * 60 + int(digits[2:4]))


def status_level(code: str):
    if not code.isdigit() or code == "000":
        return None
    c = int(code)
    if c >= 500:
        return "ERROR"
    if c >= 400:
        return "WARNING"
    if c >= 100:
        return "INFO"
    return None


SYSLOG_WORDS = {
    "emerg": "EMERGENCY",
    "panic": "EMERGENCY",
    "alert": "ALERT",
    "crit": "CRITICAL",
    "critical": "CRITICAL",
    "fatal": "CRITICAL",
    "err": "ERROR",
    "error": "ERROR",
    "warn": "WARNING",
    "warning": "WARNING",
    "notice": "NOTICE",
    "info": "INFO",
    "debug": "DEBUG",
}
PREFIX_WORD = re.compile(
    r"(?i)(emerg|panic|alert|crit|critical|fatal|err|error|warn|warning|notice|info|debug):\s"
)


# a tag a program writes before its level: 'auth:', '[12]', '(CRON)', '->'
TAG = re.compile(r"(?:\S+:|\S*\[\S*\]|\(\S*\)|[^\w\s]+)[ \t]+")
UPPER_WORD = re.compile(
    r"(EMERG|PANIC|ALERT|CRIT|CRITICAL|FATAL|ERR|ERROR|WARN|WARNING|NOTICE|INFO|DEBUG)[ \t]"
)


def message_prefix_level(msg: str):
    """A severity word the program put at the start of its message ('error: ...',
    'INFO ...'), after at most two tags ('(CRON) INFO (...)')."""
    pos = 0
    for _ in range(3):
        m = PREFIX_WORD.match(msg, pos) or UPPER_WORD.match(msg, pos)
        if m:
            return SYSLOG_WORDS[m.group(1).lower()]
        tag = TAG.match(msg, pos)
        if tag is None:
            return None
        pos = tag.end()
    return None


SYSLOG_NUM = ["EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"]

# ----------------------------------------------------------------------------------- parsers
RE_COMBINED = re.compile(
    r'^\S+ \S+ \S+ \[(\d\d)/(\w{3})/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-]\d{4})\] "(?:[^"\\]|\\.)*" ('
    r"\d{3}) "
)


def p_combined(line):
    m = RE_COMBINED.match(line)
    if not m:
        return None
    d, mon, y, h, mi, s, off, st = m.groups()
    return iso(y, MONTHS[mon], d, h, mi, s, None, offset_minutes(off)), status_level(st)


NGINX_LEVELS = {
    "debug": "DEBUG",
    "info": "INFO",
    "notice": "NOTICE",
    "warn": "WARNING",
    "error": "ERROR",
    "crit": "CRITICAL",
    "alert": "ALERT",
    "emerg": "EMERGENCY",
}
RE_NGINX_ERR = re.compile(r"^(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d) \[(\w+)\] \d+#\d+: ")


def p_nginx_error(line):
    m = RE_NGINX_ERR.match(line)
    if not m:
        return None
    *t, lvl = m.groups()
    return iso(*t), NGINX_LEVELS[lvl]


APACHE_LEVELS = dict(NGINX_LEVELS, **{f"trace{i}": "TRACE" for i in range(1, 9)})
RE_APACHE_ERR = re.compile(
    r"^\[\w{3} (\w{3}) (\d\d) (\d\d):(\d\d):(\d\d)\.(\d+) (\d{4})\] \[(?:[\w-]+:)?(\w+)\] "
)


def p_apache_error(line):
    m = RE_APACHE_ERR.match(line)
    if not m:
        return None  # e.g. raw CGI stderr text written by mod_cgid without a prefix
    mon, d, h, mi, s, frac, y, lvl = m.groups()
    return iso(y, MONTHS[mon], d, h, mi, s, frac), APACHE_LEVELS[lvl]


MARIA_LEVELS = {"Note": "INFO", "System": "INFO", "Warning": "WARNING", "ERROR": "ERROR"}
RE_MARIA_ERR = re.compile(r"^(\d{4})-(\d\d)-(\d\d) ([ \d]\d):(\d\d):(\d\d) \d+ \[(\w+)\] ")


def p_mariadb_error(line):
    m = RE_MARIA_ERR.match(line)
    if not m:
        return None  # "Version: '...' socket: ..." continues "ready for connections."
    y, mo, d, h, mi, s, lvl = m.groups()
    return iso(y, mo, d, h.strip(), mi, s), MARIA_LEVELS[lvl]


RE_MARIA_SLOW = re.compile(r"^# Time: (\d\d)(\d\d)(\d\d) +(\d{1,2}):(\d\d):(\d\d)")


def p_mariadb_slow(line):
    m = RE_MARIA_SLOW.match(line)
    if not m:
        return None  # everything up to the next "# Time:" belongs to the record
    yy, mo, d, h, mi, s = m.groups()
    return iso(2000 + int(yy), mo, d, h, mi, s), None


PG_LEVELS = {
    "LOG": "INFO",
    "INFO": "INFO",
    "DETAIL": "INFO",
    "HINT": "INFO",
    "STATEMENT": "INFO",
    "CONTEXT": "INFO",
    "QUERY": "INFO",
    "LOCATION": "INFO",
    "NOTICE": "NOTICE",
    "WARNING": "WARNING",
    "ERROR": "ERROR",
    "FATAL": "CRITICAL",
    "PANIC": "EMERGENCY",
    **{f"DEBUG{i}": "DEBUG" for i in range(1, 6)},
}
# log_line_prefix = '%m [%p] %q%u@%d '
RE_PG = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}) ([A-Z]{3,4}) \[\d+\] (?:\S*@\S* )?([A-Z"
    r"0-9]+):  "
)


def p_postgresql(line):
    m = RE_PG.match(line)
    if not m:
        return None  # continuation of a multi-line STATEMENT / DETAIL (tab-indented)
    y, mo, d, h, mi, s, ms, zone, lvl = m.groups()
    return iso(y, mo, d, h, mi, s, ms, ZONES[zone]), PG_LEVELS[lvl]


RE_PG_JSON_TS = re.compile(r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}) ([A-Z]{3,4})$")


def p_postgresql_json(line):
    o = json.loads(line)
    y, mo, d, h, mi, s, ms, zone = RE_PG_JSON_TS.match(o["timestamp"]).groups()
    return iso(y, mo, d, h, mi, s, ms, ZONES[zone]), PG_LEVELS[o["error_severity"]]


# Redis orders its levels debug < verbose < notice < warning: verbose sits between
# DEBUG and NOTICE, so it reads as INFO
REDIS_LEVELS = {".": "DEBUG", "-": "INFO", "*": "NOTICE", "#": "WARNING"}
RE_REDIS = re.compile(
    r"^\d+:[XCSM] (\d\d) (\w{3}) (\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{3}) ([.\-*#]) "
)


def p_redis(line):
    m = RE_REDIS.match(line)
    if not m:
        return None
    d, mon, y, h, mi, s, ms, mark = m.groups()
    return iso(y, MONTHS[mon], d, h, mi, s, ms), REDIS_LEVELS[mark]


RE_SYSLOG = re.compile(r"^(\w{3}) ([ \d]\d) (\d\d):(\d\d):(\d\d) \S+ [^\s:\[]+(?:\[\d+\])?: ?(.*)$")


def p_syslog(line, year=2026):
    m = RE_SYSLOG.match(line)
    if not m:
        return None
    mon, d, h, mi, s, msg = m.groups()
    return iso(year, MONTHS[mon], d.strip(), h, mi, s), message_prefix_level(msg)


RE_SYSLOG_ISO = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d) \S+ [^\s:\[]+(?:\["
    r"\d+\])?: ?(.*)$"
)


def p_syslog_iso(line):
    m = RE_SYSLOG_ISO.match(line)
    if not m:
        return None
    y, mo, d, h, mi, s, frac, off, msg = m.groups()
    return iso(y, mo, d, h, mi, s, frac, offset_minutes(off)), message_prefix_level(msg)


RE_5424 = re.compile(
    r"^<(\d{1,3})>1 (\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d) "
)


def p_rfc5424(line):
    m = RE_5424.match(line)
    if not m:
        return None
    pri, y, mo, d, h, mi, s, frac, off = m.groups()
    return iso(y, mo, d, h, mi, s, frac, offset_minutes(off)), SYSLOG_NUM[int(pri) % 8]


def p_journal_json(line):
    o = json.loads(line)
    us = int(o["__REALTIME_TIMESTAMP"])
    t = dt.datetime.fromtimestamp(us // 1_000_000, dt.UTC)
    ts = iso(t.year, t.month, t.day, t.hour, t.minute, t.second, f"{us % 1_000_000:06d}")
    pr = o.get("PRIORITY")
    return ts, (SYSLOG_NUM[int(pr)] if pr is not None else None)


RE_HAPROXY = re.compile(
    r"^\S+:\d+ \[(\d\d)/(\w{3})/(\d{4}):(\d\d):(\d\d):(\d\d)\.(\d{3})\] \S+ \S+ \S+ (-?\d+) "
)


def p_haproxy(line):
    m = RE_HAPROXY.match(line)
    if not m:
        # 'log stdout format raw' also carries server-state / proxy-stop events with no time of
        # their own:
        # each is its own one-line record without timestamp or level.
        return None, None
    d, mon, y, h, mi, s, ms, st = m.groups()
    return iso(y, MONTHS[mon], d, h, mi, s, ms), status_level(st)


RE_SQUID_ACCESS = re.compile(r"^\s*(\d+\.\d+)\s+-?\d+ \S+ [A-Z_]+/(\d{3}) ")


def p_squid_access(line):
    m = RE_SQUID_ACCESS.match(line)
    if not m:
        return None
    return epoch_iso(m.group(1)), status_level(m.group(2))


RE_SQUID_CACHE = re.compile(r"^(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d)(?: kid\d+)?\| ?(.*)$")


def p_squid_cache(line):
    m = RE_SQUID_CACHE.match(line)
    if not m:
        return None  # indented detail lines, "CPU Usage:" block at shutdown
    *t, msg = m.groups()
    mm = re.match(r"(ERROR|WARNING|FATAL)\b", msg)
    lvl = {"ERROR": "ERROR", "WARNING": "WARNING", "FATAL": "CRITICAL"}[mm.group(1)] if mm else None
    return iso(*t), lvl


RE_EXIM = re.compile(r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) (.*)$")


def p_exim(line):
    m = RE_EXIM.match(line)
    if not m:
        return None  # " Suggested action: ..." continues the Warning above it
    *t, msg = m.groups()
    return iso(*t), ("WARNING" if msg.startswith("Warning:") else None)


JUL_LEVELS = {
    "SEVERE": "ERROR",
    "WARNING": "WARNING",
    "INFO": "INFO",
    "CONFIG": "DEBUG",
    "FINE": "DEBUG",
    "FINER": "TRACE",
    "FINEST": "TRACE",
}
RE_TOMCAT = re.compile(
    r"^(\d\d)-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{3}) (SEVERE|WARNING|INFO|CONFIG|FINE|FINER"
    r"|FINEST) \["
)


def p_tomcat(line):
    m = RE_TOMCAT.match(line)
    if not m:
        return None  # stack trace lines
    d, mon, y, h, mi, s, ms, lvl = m.groups()
    return iso(y, MONTHS[mon], d, h, mi, s, ms), JUL_LEVELS[lvl]


F2B_LEVELS = {
    "CRITICAL": "CRITICAL",
    "ERROR": "ERROR",
    "WARNING": "WARNING",
    "NOTICE": "NOTICE",
    "INFO": "INFO",
    "DEBUG": "DEBUG",
}
RE_F2B = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3}) fail2ban\.\S+\s+\[\d+\]: (\w+)\s"
)


def p_fail2ban(line):
    m = RE_F2B.match(line)
    if not m:
        return None
    *t, ms, lvl = m.groups()
    return iso(*t, ms), F2B_LEVELS.get(lvl)


RE_LIGHTTPD = re.compile(r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d): \(")


def p_lighttpd(line):
    m = RE_LIGHTTPD.match(line)
    return (iso(*m.groups()), None) if m else None


RE_VSFTPD = re.compile(r"^\w{3} (\w{3}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\d{4}) \[pid \d+\] ")


def p_vsftpd(line):
    m = RE_VSFTPD.match(line)
    if not m:
        return None
    mon, d, h, mi, s, y = m.groups()
    return iso(y, MONTHS[mon], d.strip(), h, mi, s), None


RE_MOSQ = re.compile(r"^(\d{9,11}): ")


def p_mosquitto(line):
    m = RE_MOSQ.match(line)
    return (epoch_iso(m.group(1)), None) if m else None


RE_DPKG = re.compile(r"^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) ")


def p_dpkg(line):
    m = RE_DPKG.match(line)
    return (iso(*m.groups()), None) if m else None


RE_ALT = re.compile(r"^update-alternatives (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d): ")


def p_alternatives(line):
    m = RE_ALT.match(line)
    return (iso(*m.groups()), None) if m else None


# ----------------------------------------------------------------------------------- excerpts
def pkgver(pkg):
    if pkg.startswith(
        "exim4"
    ):  # not installed (conflicts with postfix): version of the unpacked .deb
        debs = sorted(Path("/tmp/llsrv/eximdeb").glob(f"{pkg}_*.deb"))
        if debs:
            return (
                subprocess.run(
                    ["dpkg-deb", "-f", str(debs[-1]), "Version"], capture_output=True, text=True
                ).stdout.strip()
                or "?"
            )
    try:
        return subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True, check=True
        ).stdout.strip()
    except Exception:
        return "?"


def upstream(v):
    v = v.split(":", 1)[-1]
    return re.split(r"[-+~]", v)[0]


def prog(name, pkg, extra=""):
    v = pkgver(pkg)
    return f"{name} {upstream(v)} (Debian package {pkg} {v}{extra})"


# name, source (relative to OUT), format, parser, (program name, package), config, read, anchor,
# before, max
EXCERPTS = [
    (
        "nginx-access.log",
        "nginx-access.log",
        "apache-combined",
        p_combined,
        ("nginx", "nginx"),
        "access_log ... combined; TZ=UTC; traffic from curl, haproxy and squid",
        {},
        None,
        0,
        250,
    ),
    (
        "nginx-error.log",
        "nginx-error.log",
        "nginx-error",
        p_nginx_error,
        ("nginx", "nginx"),
        "error_log ... info; TZ=UTC; 404s, permission denied, upstream refused (502), bad "
        "requests, "
        "reload, SIGKILLed worker, reopen",
        {},
        None,
        0,
        250,
    ),
    (
        "apache-access.log",
        "apache2-access.log",
        "apache-combined",
        p_combined,
        ("Apache httpd", "apache2"),
        "LogFormat combined (Debian default string); TZ=UTC",
        {},
        None,
        0,
        250,
    ),
    (
        "apache-error.log",
        "apache2-error.log",
        "apache-error",
        p_apache_error,
        ("Apache httpd", "apache2"),
        "ErrorLog with default 2.4 ErrorLogFormat, LogLevel info, mpm_event; TZ=UTC; raw CGI "
        "stderr line "
        "(no prefix) kept as continuation of the record above",
        {},
        None,
        0,
        250,
    ),
    (
        "mariadb-error.log",
        "mariadb/error.log",
        "mariadb-error",
        p_mariadb_error,
        ("MariaDB", "mariadb-server"),
        "--log-error, --log-warnings=4; TZ=UTC; hour is space-padded ('2026-12-08  0:05:34'); "
        "failed logins, killed query, restart",
        {},
        None,
        0,
        250,
    ),
    (
        "mariadb-slow.log",
        "mariadb/slow.log",
        "mariadb-slow",
        p_mariadb_slow,
        ("MariaDB", "mariadb-server"),
        "--slow-query-log --long-query-time=0; TZ=UTC; '# Time: 261208  0:05:35' written only "
        "when the "
        "second changes, so one record holds every query of that second",
        {},
        r"^# Time:",
        0,
        250,
    ),
    (
        "postgresql-stderr.log",
        "pg/postgresql.log",
        "postgresql",
        p_postgresql,
        ("PostgreSQL", "postgresql-15"),
        "logging to stderr (pg_ctl -l), log_line_prefix='%m [%p] %q%u@%d ', log_timezone='UTC', "
        "log_connections/disconnections on",
        {},
        None,
        0,
        250,
    ),
    (
        "postgresql-cet.log",
        "pg/postgresql-cet.log",
        "postgresql",
        p_postgresql,
        ("PostgreSQL", "postgresql-15"),
        "as postgresql-stderr.log but log_timezone='CET' (written as '... CET'; expectations "
        "converted to UTC)",
        {},
        None,
        0,
        250,
    ),
    (
        "postgresql.json",
        "pg/postgresql.json",
        "postgresql-json",
        p_postgresql_json,
        ("PostgreSQL", "postgresql-15"),
        "logging_collector=on, log_destination='jsonlog', log_timezone='UTC'",
        {},
        None,
        0,
        250,
    ),
    (
        "redis.log",
        "redis.log",
        "redis",
        p_redis,
        ("Redis", "redis-server"),
        "logfile + loglevel verbose; maxmemory 100kb (startup warning); SAVE/BGSAVE, SHUTDOWN, "
        "restart; TZ=UTC",
        {},
        None,
        0,
        250,
    ),
    (
        "rsyslog-traditional.log",
        "syslog/traditional.log",
        "syslog",
        p_syslog,
        ("rsyslog", "rsyslog"),
        "rsyslogd -f (imuxsock) template RSYSLOG_TraditionalFileFormat; TZ=UTC; sources: sshd "
        "9.2p1 "
        "(port 2222), sudo, su, cron (real daemon, job every minute), postfix 3.7 (local bounce, "
        "smtpd "
        "rejects), logger",
        {"year": 2026},
        None,
        0,
        250,
    ),
    (
        "rsyslog-fileformat.log",
        "syslog/fileformat.log",
        "syslog-iso",
        p_syslog_iso,
        ("rsyslog", "rsyslog"),
        "same messages, template RSYSLOG_FileFormat (high precision, +00:00)",
        {},
        None,
        0,
        250,
    ),
    (
        "rsyslog-rfc5424.log",
        "syslog/rfc5424.log",
        "syslog-rfc5424",
        p_rfc5424,
        ("rsyslog", "rsyslog"),
        "same messages, template RSYSLOG_SyslogProtocol23Format; level from PRI",
        {},
        None,
        0,
        250,
    ),
    (
        "fail2ban.log",
        "fail2ban.log",
        "fail2ban",
        p_fail2ban,
        ("fail2ban", "fail2ban"),
        "logtarget=file, loglevel INFO, jail sshd (polling) on the rsyslog file, dummy ban "
        "action; TZ=UTC",
        {},
        None,
        0,
        250,
    ),
    (
        "haproxy-http.log",
        "haproxy.log",
        "haproxy-http",
        p_haproxy,
        ("HAProxy", "haproxy"),
        "log stdout format raw, option httplog, in front of nginx; TZ=UTC; the raw target also "
        "carries "
        "'Server .../... is DOWN' and 'Proxy ... stopped' lines with no timestamp (records with "
        "null time)",
        {},
        None,
        0,
        250,
    ),
    (
        "squid-access.log",
        "squid/access.log",
        "squid-access",
        p_squid_access,
        ("Squid", "squid"),
        "access_log stdio:... squid (native format)",
        {},
        None,
        0,
        250,
    ),
    (
        "squid-cache.log",
        "squid/cache.log",
        "squid-cache",
        p_squid_cache,
        ("Squid", "squid"),
        "cache_log, debug_options default (ALL,1); TZ=UTC; reconfigure and shutdown",
        {},
        None,
        0,
        250,
    ),
    (
        "exim-mainlog.log",
        "exim/mainlog",
        "exim",
        p_exim,
        ("Exim", "exim4-daemon-light"),
        "log_file_path=.../%slog (mainlog); TZ=UTC; binary from the unpacked .deb with -C own "
        "config; "
        "'Warning:' lines are followed by an indented ' Suggested action:' continuation",
        {},
        None,
        0,
        250,
    ),
    (
        "tomcat-catalina.log",
        "tomcat-catalina.log",
        "tomcat",
        p_tomcat,
        ("Apache Tomcat", "tomcat10"),
        "Debian logging.properties (juli AsyncFileHandler, OneLineFormatter), -Duser.timezone=UTC; "
        "malformed web.xml and missing filter class -> deployment failures with stack traces",
        {},
        None,
        0,
        250,
    ),
    (
        "tomcat-localhost.log",
        "tomcat-localhost.log",
        "tomcat",
        p_tomcat,
        ("Apache Tomcat", "tomcat10"),
        "localhost.<date>.log of the same run: filter start failure and JSP servlet exception "
        "with stack traces",
        {},
        None,
        0,
        250,
    ),
    (
        "journald-short-iso.log",
        "journal-short-iso.log",
        "syslog-iso",
        p_syslog_iso,
        ("systemd-journald", "systemd"),
        "systemd-journald run by hand (Storage=volatile), /dev/log -> its "
        "dev-log socket; journalctl --directory=... -o short-iso",
        {},
        None,
        0,
        250,
    ),
    (
        "journald-short-iso-precise.log",
        "journal-short-iso-precise.log",
        "syslog-iso",
        p_syslog_iso,
        ("systemd-journald", "systemd"),
        "same journal, journalctl -o short-iso-precise",
        {},
        None,
        0,
        250,
    ),
    (
        "journald.json",
        "journal.json",
        "journal-json",
        p_journal_json,
        ("systemd-journald", "systemd"),
        "same journal, journalctl -o json; time from __REALTIME_TIMESTAMP (receive time; the "
        "short-iso "
        "outputs show _SOURCE_REALTIME_TIMESTAMP where present, a few ms earlier), level from "
        "PRIORITY",
        {},
        None,
        0,
        250,
    ),
    (
        "lighttpd-error.log",
        "lighttpd/error.log",
        "lighttpd",
        p_lighttpd,
        ("lighttpd", "lighttpd"),
        "server.errorlog, debug.log-file-not-found, debug.log-request-header-on-error; TZ=UTC",
        {},
        None,
        0,
        250,
    ),
    (
        "vsftpd.log",
        "vsftpd.log",
        "vsftpd",
        p_vsftpd,
        ("vsftpd", "vsftpd"),
        "vsftpd_log_file, xferlog_enable=YES (vsftpd's own format); TZ=UTC",
        {},
        None,
        0,
        250,
    ),
    (
        "mosquitto.log",
        "mosquitto/mosquitto.log",
        "mosquitto",
        p_mosquitto,
        ("Eclipse Mosquitto", "mosquitto"),
        "log_dest file, log_type all, default epoch-seconds timestamps",
        {},
        None,
        0,
        250,
    ),
    (
        "dpkg.log",
        "dpkg.log",
        "dpkg",
        p_dpkg,
        ("dpkg", "dpkg"),
        "/var/log/dpkg.log of this machine (the apt-get install of collect_servers.sh); TZ=UTC",
        {},
        r" install nginx:",
        40,
        200,
    ),
    (
        "alternatives.log",
        "alternatives.log",
        "update-alternatives",
        p_alternatives,
        ("dpkg", "dpkg"),
        "/var/log/alternatives.log of this machine (update-alternatives runs of the same "
        "installs); TZ=UTC",
        {},
        None,
        -80,
        80,
    ),
]

MAX_BYTES = 60_000


def choose_window(lines, starts, anchor, before, max_lines):
    n = len(lines)
    if anchor is None and before < 0:  # the last -before lines
        lo = max(0, n + before)
    elif anchor is None:
        lo = 0
    else:
        idx = next(i for i, line in enumerate(lines) if re.search(anchor, line))
        lo = max(0, idx - before)
    while lo < n and not starts[lo]:
        lo += 1
    hi = min(n, lo + max_lines)

    def fix_end(h):
        while h < n and h > lo and not starts[h]:
            h -= 1  # do not cut a multi-line record in two
        return h

    hi = fix_end(hi)
    while sum(len(x) for x in lines[lo:hi]) > MAX_BYTES:
        hi = fix_end(hi - 1)
    return lo, hi


def build(out_dir: Path, dest: Path, only=None):
    dest.mkdir(parents=True, exist_ok=True)
    summary = []
    for name, src, fmt, parser, (pname, pkg), config, read, anchor, before, max_lines in EXCERPTS:
        if only and name not in only:
            continue
        path = out_dir / src
        if not path.exists():
            print(f"SKIP {name}: {path} missing", file=sys.stderr)
            continue
        lines = path.read_text(encoding="utf-8", errors="surrogateescape").splitlines(keepends=True)
        parsed = [parser(line.rstrip("\n")) for line in lines]
        starts = [p is not None for p in parsed]
        lo, hi = choose_window(lines, starts, anchor, before, max_lines)
        chunk, info = lines[lo:hi], parsed[lo:hi]
        assert info and info[0] is not None, name
        records = []
        for i, p in enumerate(info):
            if p is not None:
                records.append([i + 1, 1, p[0], p[1]])
            else:
                records[-1][1] += 1
        (dest / name).write_text("".join(chunk), encoding="utf-8", errors="surrogateescape")
        doc = {
            "program": prog(pname, pkg),
            "config": config,
            "format": fmt,
            "read": read,
            "records": records,
        }
        body = ",\n".join("    " + json.dumps(r) for r in records)
        text = json.dumps({k: v for k, v in doc.items() if k != "records"}, indent=2)[:-2]
        text += ',\n  "records": [\n' + body + "\n  ]\n}\n"
        assert json.loads(text) == doc
        (dest / (name.rsplit(".", 1)[0] + ".expect.json")).write_text(text, encoding="utf-8")
        levels = sorted({r[3] for r in records if r[3]})
        summary.append((name, len(chunk), len(records), fmt, levels))
        flag = "" if 20 <= len(chunk) <= 300 else "  <-- LINE COUNT OUT OF RANGE"
        print(
            f"{name:34s} lines {lo + 1}-{hi} of {len(lines)} ({len(chunk)}), records "
            f"{len(records)}, "
            f"{fmt}, levels {levels}{flag}"
        )
    return summary


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]), set(sys.argv[3:]) or None)
