"""Cut the held-out excerpts (datasets/holdout/) from the full logs in benchmarks/data/holdout/ and
derive their *.expect.json with per-program regexes written from each program's documented layout
(never with llamalog). Run by collect_holdout.sh (section `cut`); python3 holdout_cut.py also works.
Record = first physical line + count of lines; continuation lines belong to the record above.
"""
import datetime as dt
import json
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "benchmarks/data/holdout"
DST = REPO / "datasets/holdout"
MON = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}
SYSLOG = {"emerg": "EMERGENCY", "panic": "EMERGENCY", "alert": "ALERT", "crit": "CRITICAL",
          "critical": "CRITICAL", "err": "ERROR", "error": "ERROR", "warning": "WARNING",
          "warn": "WARNING", "notice": "NOTICE", "info": "INFO", "debug": "DEBUG"}


def iso(y, mo, d, h, mi, s, frac=""):
    return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}T{h}:{mi}:{s}{'.' + frac if frac else ''}Z"


def status_level(code):
    c = int(code)
    return "ERROR" if c >= 500 else "WARNING" if c >= 400 else "INFO" if c >= 100 else None


def ver(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()


# Each program: start(line) -> (ts, level) if the line starts a record, else None (continuation).
def named(line):
    m = re.match(r"(\d\d)-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d)\.(\d{3}) [\w-]+: (\w+)(?: \d+)?: ", line)
    return m and (iso(m[3], MON[m[2]], m[1], m[4], m[5], m[6], m[7]), SYSLOG.get(m[8], None))


def unbound(line):
    m = re.match(r"\[(\d+)\] unbound\[\d+:\d+\] (\w+): ", line)
    if not m:
        return None
    t = dt.datetime.fromtimestamp(int(m[1]), dt.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ"), SYSLOG.get(m[2])


def nsd(line):
    m = re.match(r"\[(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3})\] nsd\[\d+\]: (\w+): ", line)
    return m and (iso(*m.groups()[:7]), SYSLOG.get(m[8]))


def knot(line):
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\+0000 (\w+): ", line)
    return m and (iso(*m.groups()[:6]), SYSLOG.get(m[7]))


PHPLVL = {"Warning": "WARNING", "Notice": "NOTICE", "Fatal error": "CRITICAL", "Parse error": "ERROR",
          "Deprecated": None}


def php(line):
    m = re.match(r"\[\w{3} (\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) (\d{4})\] (.*)", line)
    if not m:
        return None
    ts = iso(m[6], MON[m[1]], m[2], m[3], m[4], m[5])
    rest = m[7]
    p = re.match(r"PHP (Warning|Notice|Fatal error|Parse error|Deprecated):  ", rest)
    s = re.match(r"[\d.]+:\d+ \[(\d{3})\]: ", rest)
    return ts, (PHPLVL[p[1]] if p else status_level(s[1]) if s else None)


TINY = {"CRITICAL": "CRITICAL", "ERROR": "ERROR", "WARNING": "WARNING", "NOTICE": "NOTICE",
        "CONNECT": "INFO", "INFO": "INFO"}


def tinyproxy(line, year=2026):
    m = re.match(r"([A-Z]+) +(\w{3}) (\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}) \[\d+\]: ", line)
    return m and (iso(year, MON[m[2]], m[3], m[4], m[5], m[6], m[7]), TINY[m[1]])


PRIV = {"Info": "INFO", "Error": "ERROR", "Fatal error": "CRITICAL", "Warning": "WARNING"}


def privoxy(line):
    m = re.match(r"(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}) [0-9a-f]+ ([A-Za-z -]+?): ", line)
    return m and (iso(*m.groups()[:7]), PRIV.get(m[8]))


def samba_level(n):
    n = int(n)  # lib/util/debug.c debug_level_to_priority(): 0 ERR, 1 WARNING, 2-5 NOTICE, 6-9 INFO
    return "ERROR" if n == 0 else "WARNING" if n == 1 else "NOTICE" if n <= 5 else "INFO" if n <= 9 else "DEBUG"


def samba(line):
    m = re.match(r"\[(\d{4})/(\d\d)/(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6}), +(\d+)[^\]]*\] ", line)
    return m and (iso(*m.groups()[:7]), samba_level(m[8]))


class Uwsgi:  # a Python traceback runs from "Traceback" to its first unindented line after it
    def __init__(self):
        self.in_tb = False

    def __call__(self, line):
        if self.in_tb:
            if line.startswith(" "):
                return None
            self.in_tb = False
            return None  # the exception line ends the traceback record
        if line.startswith("Traceback (most recent call last):"):
            self.in_tb = True
            return None, None
        m = re.search(r"\[\w{3} (\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) (\d{4})\]", line)
        ts = m and iso(m[6], MON[m[1]], m[2], m[3], m[4], m[5])
        s = re.search(r"\(HTTP/[\d.]+ (\d{3})\)", line) if line.startswith("[pid: ") else None
        lvl = status_level(s[1]) if s else "WARNING" if line.startswith("*** WARNING:") else None
        return ts, lvl


MOJO = {"trace": "TRACE", "debug": "DEBUG", "info": "INFO", "warn": "WARNING", "error": "ERROR",
        "fatal": "CRITICAL"}


def mojo(line):
    m = re.match(r"\[(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d+)\] \[\d+\] \[(\w+)\] ", line)
    return m and (iso(*m.groups()[:7]), MOJO[m[8]])


def elixir(line, date=None):
    m = re.match(r"(\d\d):(\d\d):(\d\d)\.(\d{3}) \[(\w+)\] ", line)
    return m and (f"{date}T{m[1]}:{m[2]}:{m[3]}.{m[4]}Z", SYSLOG.get(m[5]))


RUBY = {"DEBUG": "DEBUG", "INFO": "INFO", "WARN": "WARNING", "ERROR": "ERROR", "FATAL": "CRITICAL",
        "ANY": None}


def ruby(line):
    m = re.match(r"[DIWEFA], \[(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{6}) #\d+\] +(\w+) -- ", line)
    if m:
        return iso(*m.groups()[:7]), RUBY[m[8]]
    m = re.match(r"# Logfile created on (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) \+0000 by logger", line)
    return m and (iso(*m.groups()), None)


DOVE = {"Debug": "DEBUG", "Info": "INFO", "Warning": "WARNING", "Error": "ERROR", "Fatal": "CRITICAL",
        "Panic": "EMERGENCY"}


def dovecot(line, year=2026):
    m = re.match(r"(\w{3}) (\d\d) (\d\d):(\d\d):(\d\d) [^:]+: (Debug|Info|Warning|Error|Fatal|Panic): ", line)
    return m and (iso(year, MON[m[1]], m[2], m[3], m[4], m[5]), DOVE[m[6]])


CUPS = {"X": "EMERGENCY", "A": "ALERT", "C": "CRITICAL", "E": "ERROR", "W": "WARNING", "N": "NOTICE",
        "I": "INFO", "D": "DEBUG", "d": "DEBUG"}


def cups(line):
    m = re.match(r"([XACEWNIDd]) \[(\d\d)/(\w{3})/(\d{4}):(\d\d):(\d\d):(\d\d) \+0000\] ", line)
    return m and (iso(m[4], MON[m[3]], m[2], m[5], m[6], m[7]), CUPS[m[1]])


class ChronyStats:  # a header block (===, column titles, ===) is one record without time
    def __init__(self):
        self.in_hdr = False

    def __call__(self, line):
        if line.startswith("====="):
            if self.in_hdr:
                self.in_hdr = False
                return None
            self.in_hdr = True
            return None, None
        if self.in_hdr:
            return None
        m = re.match(r"(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) ", line)
        return m and (iso(*m.groups()), None)


def freshclam(line):
    m = re.match(r"\w{3} (\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) (\d{4}) -> (?:(WARNING|ERROR): )?", line)
    return m and (iso(m[6], MON[m[1]], m[2], m[3], m[4], m[5]), m[7])


def records(lines, start):
    recs = []
    for i, line in enumerate(lines, 1):
        r = start(line)
        if r is None and recs:
            recs[-1][1] += 1
        else:
            assert r is not None, (i, line)
            recs.append([i, 1, r[0], r[1]])
    return recs


def cut(lines, start, first_re, maxlines=300, skip=0):
    """Excerpt: from the first record at or after line `skip` to at most `maxlines`, ending on a
    record boundary."""
    i = skip
    while not re.match(first_re, lines[i]):
        i += 1
    ex = lines[i:i + maxlines]
    recs = records(ex, start)
    if i + maxlines < len(lines) and start(lines[i + maxlines]) is None:
        ex = ex[:recs[-1][0] - 1]
        recs = recs[:-1]
    return ex, recs


def write(name, ext, ex, recs, program, config, layout, read=None):
    DST.mkdir(parents=True, exist_ok=True)
    (DST / f"{name}.{ext}").write_text("".join(ex))
    body = {"program": program, "config": config, "format": None, "layout": layout, "read": read or {},
            "records": recs}
    txt = json.dumps(body, indent=1)
    txt = re.sub(r"\[\n\s+(\d+),\n\s+(\d+),\n\s+(\S+),\n\s+(\S+)\n\s+\]", r"[\1, \2, \3, \4]", txt)
    (DST / f"{name}.expect.json").write_text(txt + "\n")
    print(f"{name}.{ext}: {len(ex)} lines, {len(recs)} records, levels {sorted({str(r[3]) for r in recs})}")


def src(name):
    return (SRC / name).read_text(errors="replace").splitlines(keepends=True)


def main():
    V = [ver(c) for c in (
        'named -V | head -1 | cut -d" " -f2',
        'unbound -V | head -1 | cut -d" " -f2',
        'nsd -v 2>&1 | head -1 | cut -d" " -f3',
        'knotd -V | cut -d" " -f5',
        'php -r "echo PHP_VERSION;"',
        'tinyproxy -v | cut -d" " -f2',
        'privoxy --version | cut -d" " -f3',
        'smbd -V | cut -d" " -f2',
        'uwsgi --version',
        'perl -MMojolicious -e "print Mojolicious->VERSION"',
        'elixir --version | tail -1 | cut -d" " -f2',
        'ruby -e "print RUBY_VERSION"',
        'ruby -rlogger -e "print Logger::VERSION"',
    )]
    L = src("bind9-named.log")
    ex, recs = cut(L, named, r".*")
    write("bind9-named", "log", ex, recs, f"BIND 9 named {V[0]} (Debian bind9)",
          "logging { channel f { file ...; print-time yes; print-severity yes; print-category yes; severity info; }; "
          "category default/queries/security/update/xfer-out { f; }; }; TZ=UTC",
          "DD-Mon-YYYY HH:MM:SS.mmm category: severity: msg, e.g. "
          "`08-Dec-2026 00:45:37.154 security: error: client @0x7f68 127.0.0.1#45053 (example.test): zone transfer 'example.test/AXFR/IN' denied`")
    L = src("unbound.log")
    ex, recs = cut(L, unbound, r".*")
    write("unbound", "log", ex, recs, f"Unbound {V[1]} (Debian unbound)",
          "logfile: ...; use-syslog: no; verbosity: 2; log-queries/log-replies/log-servfail: yes; log-time-ascii: no (default)",
          "[epoch seconds] unbound[pid:thread] level: msg, e.g. `[1796690077] unbound[6222:0] info: 127.0.0.1 www.example.test. A IN NXDOMAIN 0.000000 1 104`")
    L = src("nsd.log")
    ex, recs = cut(L, nsd, r".*")
    write("nsd", "log", ex, recs, f"NSD {V[2]} (Debian nsd)",
          "logfile: ...; verbosity: 2; log-time-ascii: yes (default, 4.6 prints milliseconds); TZ=UTC",
          "[YYYY-MM-DD HH:MM:SS.mmm] nsd[pid]: level: msg, e.g. `[2026-12-08 00:34:41.960] nsd[6331]: error: broken.test.zone:10: syntax error`")
    L = src("knot.log")
    ex, recs = cut(L, knot, r".*")
    write("knot", "log", ex, recs, f"Knot DNS {V[3]} (Debian knot)",
          "log: - target: <file>, any: info",
          "YYYY-MM-DDTHH:MM:SS+hhmm level: msg, e.g. `2026-12-08T00:34:55+0000 info: Knot DNS 3.2.6 starting`")
    L = src("php-server.log")
    ex, recs = cut(L, php, r"\[")
    write("php-server", "log", ex, recs, f"PHP {V[4]} built-in web server (php -S, Debian php-cli)",
          "php -d display_errors=0 -d log_errors=1 -S 127.0.0.1:8903 (stderr); TZ=UTC. Levels: `PHP Warning:`/`Notice:`/"
          "`Fatal error:`(CRITICAL)/`Parse error:`(ERROR) message prefixes; request lines `[status]:` by the HTTP status rule",
          "[Www Mmm dd HH:MM:SS YYYY] msg, stack traces on following lines, e.g. "
          "`[Tue Dec  8 00:46:17 2026] 127.0.0.1:43432 [404]: GET /nope.html - No such file or directory`")
    L = src("tinyproxy.log")
    ex, recs = cut(L, tinyproxy, r".*")
    write("tinyproxy", "log", ex, recs, f"tinyproxy {V[5]} (Debian tinyproxy)",
          "LogFile ...; LogLevel Info; TZ=UTC. Level CONNECT (tinyproxy's own, between NOTICE and INFO, syslog LOG_INFO) = INFO",
          "LEVEL (padded) Mmm dd HH:MM:SS.mmm [pid]: msg, no year, e.g. `CONNECT   Dec 08 00:46:17.466 [16544]: Connect (file descriptor 6): 127.0.0.1`",
          {"year": 2026})
    L = src("privoxy.log")
    ex, recs = cut(L, privoxy, r".*")
    write("privoxy", "log", ex, recs, f"Privoxy {V[6]} (Debian privoxy)",
          "privoxy --no-daemon (log on stderr), debug 1 2 1024 4096 8192; TZ=UTC. Levels: Info=INFO, Error=ERROR, "
          "Fatal error=CRITICAL; the debug-category tags (Request, Connect, Crunch, ...) are not severities: null",
          "YYYY-MM-DD HH:MM:SS.mmm thread-id Tag: msg, e.g. `2026-12-08 00:46:56.086 7fc7b6e846c0 Error: Couldn't parse request line received from 127.0.0.1: Parse error`")
    L = src("samba-smbd.log")
    ex, recs = cut(L, samba, r"\[")
    write("samba-smbd", "log", ex, recs, f"Samba smbd {V[7]} (Debian samba)",
          "logging = file; log file = ...; log level = 2; TZ=UTC. Level from the debug level in the header, as "
          "Samba maps it to syslog (lib/util/debug.c): 0=ERROR 1=WARNING 2-5=NOTICE 6-9=INFO 10+=DEBUG",
          "header `[YYYY/MM/DD HH:MM:SS.ffffff, debuglevel] file:line(function)` then the message on indented lines, e.g. "
          "`[2026/12/08 00:57:41.664833,  0] ../../source3/smbd/server.c:1741(main)` + `  smbd version 4.17.12-Debian started.`")
    L = src("uwsgi.log")
    ex, recs = cut(L, Uwsgi(), r"\*\*\* Starting")
    write("uwsgi", "log", ex, recs, f"uWSGI {V[8]} (Debian uwsgi + uwsgi-plugin-python3)",
          "--logto FILE, master + 2 workers, default request logging; TZ=UTC. Only the banner and request lines carry a "
          "time; request lines take the HTTP status rule; `*** WARNING:` = WARNING; a Python traceback is one record",
          "mostly bare messages; request lines `[pid: 6403|app: 0|req: 1/1] 127.0.0.1 () {24 vars in 244 bytes} "
          "[Tue Dec  8 00:58:51 2026] GET / => generated 6 bytes in 0 msecs (HTTP/1.1 200) 1 headers in 45 bytes (1 switches on core 0)`")
    L = src("dovecot.log")
    ex, recs = cut(L, dovecot, r".*")
    write("dovecot", "log", ex, recs, "Dovecot " + ver("dovecot --version") + " (Debian dovecot-imapd)",
          "log_path = FILE (info and debug go there too); log_timestamp default \"%b %d %H:%M:%S \"; auth_verbose = yes; "
          "TZ=UTC. Fatal=CRITICAL, Panic=EMERGENCY",
          "Mmm dd HH:MM:SS process(user)<pid><session>: Level: msg, no year, e.g. "
          "`Dec 08 01:03:10 auth: Info: passwd-file(nosuch,127.0.0.1,<9oix5xRiurl/AAAB>): unknown user`",
          {"year": 2026})
    L = src("cups-error.log")
    ex, recs = cut(L, cups, r".*")
    write("cups-error", "log", ex, recs, "CUPS " + ver("dpkg-query -W -f '${Version}' cups") + " cupsd error_log (Debian cups)",
          "cups-files.conf ErrorLog FILE; cupsd.conf LogLevel info; TZ=UTC. Level letters X A C E W N I D d = "
          "EMERGENCY ALERT CRITICAL ERROR WARNING NOTICE INFO DEBUG DEBUG",
          "L [dd/Mon/YYYY:HH:MM:SS +zzzz] msg, e.g. `E [08/Dec/2026:01:04:18 +0000] [Client 30] pam_authenticate() returned 7 (Authentication failure)`")
    L = src("chrony-measurements.log")
    ex, recs = cut(L, ChronyStats(), r"=====")
    write("chrony-measurements", "log", ex, recs, "chrony " + ver("chronyd -v | cut -d' ' -f4") + " chronyd measurements log (Debian chrony)",
          "client chronyd -x with `logdir DIR; log measurements statistics tracking` polling a second chronyd on "
          "127.0.0.1 (stopped and restarted midway) plus a dead and an unresolvable server. No level column: all null; "
          "the 3-line header block (=== / titles / ===) that chrony repeats is one record without time",
          "`YYYY-MM-DD HH:MM:SS IP L St 123 567 ABCD LP RP Score Offset ...` columns under a repeated header, e.g. "
          "`2026-12-08 01:06:38 127.0.0.1       N  8 111 111 1111  -2  0 1.00 -9.608e-06  2.396e-05  2.218e-07  0.000e+00  0.000e+00 7F7F0101 4B K K`")
    L = src("freshclam.log")
    ex, recs = cut(L, freshclam, r".*")
    write("freshclam", "log", ex, recs, "ClamAV freshclam " + ver("freshclam -V | cut -d' ' -f2 | cut -d/ -f1") + " (Debian clamav-freshclam)",
          "UpdateLogFile FILE; LogTime yes; two PrivateMirror on 127.0.0.1 (a dead port, a web server answering 404); "
          "run plain then --verbose; TZ=UTC. `WARNING:`/`ERROR:` after the arrow = level, other lines null. freshclam "
          "sometimes writes two entries on one line (`... failed (7) Tue Dec  8 ... -> WARNING:  Message: ...`): one record",
          "Www Mmm dd HH:MM:SS YYYY -> [LEVEL: ]msg, e.g. `Tue Dec  8 01:07:46 2026 -> WARNING: DNS Update Info disabled. Falling back to HTTP mode.`")
    L = src("memcached.log")
    ex, recs = cut(L, lambda s: (None, None), r".*")
    write("memcached", "log", ex, recs, "memcached " + ver("memcached -V | cut -d' ' -f2") + " (Debian memcached)",
          "memcached -vv (stderr), ASCII protocol clients sending good and bad commands. No time and no level on any "
          "line: every line is its own record, all null",
          "bare lines: `<fd command`, `>fd reply`, startup `slab class   1: chunk size ...`, e.g. `>26 NOT_FOUND`")
    L = src("mojolicious.log")
    ex, recs = cut(L, mojo, r"\[")
    write("mojolicious", "log", ex, recs, f"Mojolicious {V[9]} (Debian libmojolicious-perl), Mojo::Log",
          "app->log->path(FILE), level trace, production then development mode; TZ=UTC. fatal=CRITICAL; exception "
          "messages end with a newline, so a blank line follows them (continuation)",
          "[YYYY-MM-DD HH:MM:SS.fffff] [pid] [level] [request-id] msg, e.g. `[2026-12-08 00:59:27.16931] [6761] [error] login failed for user admin`")
    L = src("elixir-logger.log")
    day = re.search(r"\d{4}-\d\d-\d\d", (SRC / "elixir-logger.date").read_text())[0]
    ex, recs = cut(L, lambda s: elixir(s, day), r"\d\d:")
    write("elixir-logger", "log", ex, recs, f"Elixir {V[10]} Logger, default console formatter (Debian elixir, OTP 24)",
          "Logger defaults (format \"\\n$time $metadata[$level] $message\\n\", stdout); TZ=UTC. No date is written: "
          f"expected timestamps use the run date {day}; the blank line each record starts with is counted as the "
          "last line of the record above (the excerpt starts at the first time line)",
          "HH:MM:SS.mmm [level] msg, records separated by blank lines, crash reports multi-line, e.g. `00:59:30.118 [warning] config not readable: :enoent, using defaults`")
    L = src("ruby-logger.log")
    ex, recs = cut(L, ruby, r"#")
    write("ruby-logger", "log", ex, recs, f"Ruby {V[11]} stdlib Logger {V[12]} (Debian ruby)",
          "Logger.new(FILE, progname: ...) default formatter; TZ=UTC (the time has no zone). FATAL=CRITICAL, "
          "UNKNOWN (written ANY) = null; logged exceptions add backtrace lines",
          "S, [YYYY-MM-DDTHH:MM:SS.ffffff #pid] LEVEL -- progname: msg, e.g. `W, [2026-12-08T00:59:19.669585 #6674]  WARN -- fetcher: /nope.html -> 404 Not Found`")


if __name__ == "__main__":
    main()
