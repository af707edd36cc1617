"""Cut excerpts of the app logs in benchmarks/data/reallogs/ into datasets/real/ and write
their *.expect.json.  Usage: python cut_excerpts.py LOGDIR DESTDIR

Expectations come from the per-program regexes below (written from each program's
documented / observed layout), never from llamalog.  A physical line that does not start a
record (traceback, stack trace, indented line) is a continuation of the record above."""
import datetime as dt
import json
import os
import re
import subprocess
import sys

LOGDIR, DEST = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
VENV_PY = os.path.join(LOGDIR, "venv", "bin", "python")
UTC = dt.timezone.utc

# ---------------------------------------------------------------- versions
def sh(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
    except OSError:
        return "?"

def pyver(pkg, py=VENV_PY):
    return sh(py, "-c", f"import importlib.metadata as m; print(m.version('{pkg}'))")

def npmver(pkg):
    with open(os.path.join(LOGDIR, "node", "node_modules", pkg, "package.json")) as f:
        return json.load(f)["version"]

def debver(pkg):
    return sh("dpkg-query", "-W", "-f=${Version}", pkg)

PYV = sh(VENV_PY, "-c", "import platform; print(platform.python_version())")
NODEV = sh("node", "-v")
GOV = sh("go", "version").split()[2] if sh("go", "version") else "?"

# ---------------------------------------------------------------- levels
PY = {"CRITICAL": "CRITICAL", "FATAL": "CRITICAL", "ERROR": "ERROR", "WARNING": "WARNING",
      "WARN": "WARNING", "INFO": "INFO", "DEBUG": "DEBUG", "TRACE": "TRACE"}
LETTER = {"D": "DEBUG", "I": "INFO", "W": "WARNING", "E": "ERROR", "C": "CRITICAL", "F": "CRITICAL"}
SUPERVISOR = {"BLAT": "TRACE", "TRAC": "TRACE", "DEBG": "DEBUG", "INFO": "INFO", "WARN": "WARNING",
              "ERRO": "ERROR", "CRIT": "CRITICAL"}
ZAP = {"debug": "DEBUG", "info": "INFO", "warn": "WARNING", "error": "ERROR", "dpanic": "EMERGENCY",
       "panic": "EMERGENCY", "fatal": "CRITICAL"}
PINO = {10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARNING", 50: "ERROR", 60: "CRITICAL"}
WINSTON = {"error": "ERROR", "warn": "WARNING", "info": "INFO", "http": "INFO", "verbose": "TRACE",
           "debug": "DEBUG", "silly": "TRACE"}


def http_level(status):
    if not status or not status.isdigit() or status == "000":
        return None
    s = int(status)
    return "ERROR" if s >= 500 else "WARNING" if s >= 400 else "INFO"

# ---------------------------------------------------------------- timestamps
def iso(text, fmt, frac="", offset=None):
    """text parsed with strptime(fmt) as local time at `offset` ("+0100", "+01:00", "Z" or
    None = UTC); returns UTC ISO 8601 with the fraction digits exactly as written."""
    d = dt.datetime.strptime(text, fmt)
    if offset and offset != "Z":
        sign = -1 if offset[0] == "-" else 1
        o = offset[1:].replace(":", "")
        d = d - sign * dt.timedelta(hours=int(o[:2]), minutes=int(o[2:4]))
    out = d.strftime("%Y-%m-%dT%H:%M:%S")
    return out + ("." + frac if frac else "") + "Z"


def epoch(sec, frac=""):
    d = dt.datetime.fromtimestamp(int(sec), UTC)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + ("." + frac if frac else "") + "Z"


ISO_RE = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)")


def iso_field(s):
    m = ISO_RE.fullmatch(s)
    return iso(m.group(1), "%Y-%m-%dT%H:%M:%S", m.group(2) or "", m.group(3))

# ---------------------------------------------------------------- per-format head parsers
# each returns None (continuation line) or (timestamp, level)
def p_python_logging(line):
    m = re.match(r"(CRITICAL|ERROR|WARNING|INFO|DEBUG):[^:\s]*:", line)
    return m and (None, PY[m.group(1)])

def p_python_asctime(line):
    m = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:,(\d{3}))?([+-]\d{4})? - \S+ - "
                 r"(CRITICAL|ERROR|WARNING|INFO|DEBUG) - ", line)
    return m and (iso(m.group(1), "%Y-%m-%d %H:%M:%S", m.group(2) or "", m.group(3)), PY[m.group(4)])

def p_gunicorn(line):
    m = re.match(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ([+-]\d{4})\] \[\d+\] \[(\w+)\] ", line)
    return m and (iso(m.group(1), "%Y-%m-%d %H:%M:%S", "", m.group(2)), PY[m.group(3)])

def p_combined(line):
    m = re.match(r'\S+ \S+ \S+ \[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d) ([+-]\d{4})\] "[^"]*" (\d{3}|-) ', line)
    return m and (iso(m.group(1), "%d/%b/%Y:%H:%M:%S", "", m.group(2)), http_level(m.group(3)))

def p_uvicorn(line):
    m = re.match(r"(CRITICAL|ERROR|WARNING|INFO|DEBUG|TRACE):\s+", line)
    return m and (None, PY[m.group(1)])

ANSI = r"(?:\x1b\[[0-9;]*m)*"

def p_werkzeug(line):
    m = re.match(r'\S+ - - \[(\d\d/\w{3}/\d{4} \d\d:\d\d:\d\d)\] "[^"]*" (\d{3}) ', line)
    if m:  # access line (status decides, as for other access logs)
        return iso(m.group(1), "%d/%b/%Y %H:%M:%S"), http_level(m.group(2))
    m = re.match(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3})\] (CRITICAL|ERROR|WARNING|INFO|DEBUG) in \S+: ", line)
    if m:  # Flask app.logger default handler
        return iso(m.group(1), "%Y-%m-%d %H:%M:%S", m.group(2)), PY[m.group(3)]
    m = re.match(ANSI + r"(WARNING): ", line)
    if m:  # werkzeug's startup warning
        return None, "WARNING"
    if re.match(r" \* ", line) or re.match(ANSI + r"Press CTRL\+C to quit", line):
        return None, None
    return None

def p_tornado(line):
    m = re.match(r"\[([DIWEC]) (\d{6} \d\d:\d\d:\d\d) [^\]]+:\d+\] ", line)
    return m and (iso(m.group(2), "%y%m%d %H:%M:%S"), LETTER[m.group(1)])

def p_jupyter(line):
    m = re.match(r"\[([DIWEC]) (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.(\d{3}) [^\]]+\] ", line)
    if m:
        return iso(m.group(2), "%Y-%m-%d %H:%M:%S", m.group(3)), LETTER[m.group(1)]
    m = re.match(r"\[\w+\] (CRITICAL|ERROR|WARNING|INFO|DEBUG) \| ", line)  # the kernel's own lines
    return m and (None, PY[m.group(1)])

def p_celery(line):
    m = re.match(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}): (\w+)/[^\]]+\] ", line)
    return m and (iso(m.group(1), "%Y-%m-%d %H:%M:%S", m.group(2)), PY[m.group(3)])

def p_supervisord(line):
    m = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) (BLAT|TRAC|DEBG|INFO|WARN|ERRO|CRIT) ", line)
    return m and (iso(m.group(1), "%Y-%m-%d %H:%M:%S", m.group(2)), SUPERVISOR[m.group(3)])

def p_logfmt(line):
    m = re.match(r"time=(\S+) level=(DEBUG|INFO|WARN|ERROR)\b", line)
    return m and (iso_field(m.group(1)), PY[m.group(2)])

LOGRUS = {"trace": "TRACE", "debug": "DEBUG", "info": "INFO", "warning": "WARNING", "error": "ERROR",
          "fatal": "CRITICAL", "panic": "EMERGENCY"}

def p_logrus(line):
    m = re.match(r'time="([^"]+)" level=(\w+) ', line)
    return m and (iso_field(m.group(1)), LOGRUS[m.group(2)])

def j_logrus(line):
    o = json.loads(line)
    return iso_field(o["time"]), LOGRUS[o["level"]]

def p_golog(line):
    m = re.match(r"(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d) ", line)
    return m and (iso(m.group(1), "%Y/%m/%d %H:%M:%S"), None)

def make_klog(year):
    def p(line):
        m = re.match(r"([IWEF])(\d{4} \d\d:\d\d:\d\d)\.(\d{6})\s+\d+ [^\]\s]+:\d+\] ", line)
        return m and (iso(f"{year}{m.group(2)}", "%Y%m%d %H:%M:%S", m.group(3)), LETTER[m.group(1)])
    return p

def p_logback(line):
    m = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.(\d{3}) \[[^\]]*\] (TRACE|DEBUG|INFO|WARN|ERROR)\s", line)
    return m and (iso(m.group(1), "%Y-%m-%d %H:%M:%S", m.group(2)), PY[m.group(3)])

def p_log4j(line):
    m = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) (TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\s+\[[^\]]*\] \S+: ", line)
    return m and (iso(m.group(1), "%Y-%m-%d %H:%M:%S", m.group(2)), PY[m.group(3)])

# JSON lines: one record per line
def j_pylogger(line):
    o = json.loads(line)
    return iso_field(o["timestamp"]), PY[o["levelname"]]

def j_structlog(line):
    o = json.loads(line)
    return iso_field(o["timestamp"]), PY[o["level"].upper()]

def j_pino(line):
    o = json.loads(line)
    t = re.search(r'"time":(\d+)', line).group(1)
    return epoch(int(t) // 1000, t[-3:]), PINO[o["level"]]

def j_bunyan(line):
    o = json.loads(line)
    return iso_field(o["time"]), PINO[o["level"]]

def j_winston(line):
    o = json.loads(line)
    return iso_field(o["timestamp"]), WINSTON[o["level"]]

def j_slog(line):
    o = json.loads(line)
    return iso_field(o["time"]), PY[o["level"]]

def j_zap(line):
    o = json.loads(line)
    m = re.search(r'"ts":(\d+)(?:\.(\d+))?', line)
    return epoch(m.group(1), m.group(2) or ""), ZAP[o["level"]]

# ---------------------------------------------------------------- records & excerpts
def records(lines, parse):
    recs = []
    for i, line in enumerate(lines):
        r = parse(line)
        if r is None and recs:
            recs[-1][1] += 1
        else:
            ts, lvl = r if r is not None else (None, None)
            recs.append([i, 1, ts, lvl])
    return recs


def cut(spec):
    src = os.path.join(LOGDIR, spec["src"])
    if not os.path.exists(src):
        print("missing", src); return None
    with open(src, encoding="utf-8", newline="\n") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    recs = records(lines, spec["parse"])
    k = 0
    if spec.get("start"):  # first record whose first line matches, minus `before` records
        rx = re.compile(spec["start"])
        k = next(i for i, r in enumerate(recs) if rx.search(lines[r[0]]))
        k = max(0, k - spec.get("before", 3))
    while k < len(recs) and spec["parse"](lines[recs[k][0]]) is None:  # never start on an orphan
        k += 1
    chosen, nlines, nbytes = [], 0, 0
    maxl = spec.get("max_lines", 300)
    for r in recs[k:]:
        size = sum(len(x.encode()) + 1 for x in lines[r[0]:r[0] + r[1]])
        if nlines + r[1] > maxl or nbytes + size > 58000:
            break
        chosen.append(r); nlines += r[1]; nbytes += size
    first = chosen[0][0]
    out = lines[first:first + nlines]
    name = spec["name"]
    with open(os.path.join(DEST, name), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(out) + "\n")
    exp = {"program": spec["program"], "config": spec["config"], "format": spec["format"],
           "read": spec.get("read", {}),
           "records": [[r[0] - first + 1, r[1], r[2], r[3]] for r in chosen]}
    base = name.rsplit(".", 1)[0]
    with open(os.path.join(DEST, base + ".expect.json"), "w") as f:
        head = json.dumps({k: v for k, v in exp.items() if k != "records"}, indent=2)[:-2]
        f.write(head + ',\n  "records": [\n')
        f.write(",\n".join("    " + json.dumps(r) for r in exp["records"]))
        f.write("\n  ]\n}\n")
    lv = sorted({r[3] for r in chosen if r[3]})
    print(f"{name:28s} {spec['format']:24s} lines={nlines:4d} records={len(chosen):4d} "
          f"bytes={nbytes:6d} levels={','.join(lv)}")
    return exp


def year_of(path):
    p = os.path.join(LOGDIR, path)
    return dt.datetime.fromtimestamp(os.path.getmtime(p), UTC).year if os.path.exists(p) else 1970


def specs():
    gv = pyver("gunicorn")
    klog_year = year_of("go-klog.log")
    godeb = "Go %s (Debian golang-go %s)" % (GOV, debver("golang-go"))
    S = [
        dict(src="py-basic.log", name="python-logging.log", format="python-logging", parse=p_python_logging,
             program=f"Python {PYV} logging",
             config="logging.basicConfig(level=DEBUG) default format %(levelname)s:%(name)s:%(message)s; "
                    "logger.exception tracebacks (chained)"),
        dict(src="py-asctime.log", name="python-asctime.log", format="python-asctime", parse=p_python_asctime,
             program=f"Python {PYV} logging",
             config="format '%(asctime)s - %(name)s - %(levelname)s - %(message)s' (logging docs); TZ=UTC"),
        dict(src="py-asctime-tz.log", name="python-asctime-tz.log", format="python-asctime",
             parse=p_python_asctime, program=f"Python {PYV} logging",
             config="format '%(asctime)s - %(name)s - %(levelname)s - %(message)s', "
                    "datefmt '%Y-%m-%d %H:%M:%S%z' (no msecs); TZ=Europe/Berlin (+0100)"),
        dict(src="py-jsonlogger.log", name="python-json-logger.jsonl", format="jsonl", parse=j_pylogger,
             program=f"python-json-logger {pyver('python-json-logger')} (PyPI), Python {PYV}",
             config="JsonFormatter('%(levelname)s %(name)s %(message)s', timestamp=True); keys: levelname, "
                    "name, message, timestamp (ISO 8601 UTC +00:00), exc_info (traceback string)"),
        dict(src="py-structlog.log", name="structlog.jsonl", format="jsonl", parse=j_structlog,
             program=f"structlog {pyver('structlog')} (PyPI), Python {PYV}",
             config="processors add_log_level, add_logger_name, TimeStamper(fmt='iso', utc=True), "
                    "format_exc_info, JSONRenderer via stdlib logging; keys: event, level, logger, "
                    "timestamp, exception"),
        dict(src="gunicorn-error.log", name="gunicorn-error.log", format="gunicorn", parse=p_gunicorn,
             program=f"gunicorn {gv} (PyPI), sync workers",
             config="--error-logfile, default error log format; -w 2 --timeout 3; WORKER TIMEOUT, "
                    "worker SIGKILL, HUP reload, TERM; TZ=UTC"),
        dict(src="gunicorn-error-tz.log", name="gunicorn-tz.log", format="gunicorn", parse=p_gunicorn,
             program=f"gunicorn {gv} (PyPI), sync workers",
             config="--error-logfile, default error log format; a second run with the same traffic as gunicorn-error; TZ=Europe/Berlin (+0100)"),
        dict(src="gunicorn-access.log", name="gunicorn-access.log", format="apache-combined", parse=p_combined,
             program=f"gunicorn {gv} (PyPI)",
             config="--access-logfile, default access_log_format "
                    "'%(h)s %(l)s %(u)s %(t)s \"%(r)s\" %(s)s %(b)s \"%(f)s\" \"%(a)s\"' (combined); TZ=UTC"),
        dict(src="uvicorn.log", name="uvicorn.log", format="uvicorn", parse=p_uvicorn,
             program=f"uvicorn {pyver('uvicorn')} (PyPI)",
             config="default logging (stderr: error + access), raw ASGI app raising exceptions"),
        dict(src="werkzeug.log", name="werkzeug.log", format="werkzeug", parse=p_werkzeug,
             program=f"Flask {pyver('flask')} / Werkzeug {pyver('werkzeug')} dev server (PyPI)",
             config="app.run() defaults, stdout+stderr; ANSI colour codes as written by werkzeug; "
                    "access lines leveled by HTTP status; Flask '[asctime] LEVEL in module:' tracebacks; TZ=UTC"),
        dict(src="tornado.log", name="tornado.log", format="tornado", parse=p_tornado,
             program=f"tornado {pyver('tornado')} (PyPI)",
             config="tornado.options.parse_command_line() default LogFormatter, --log-file-prefix; TZ=UTC"),
        dict(src="jupyter.log", name="jupyter-server.log", format="jupyter", parse=p_jupyter,
             program=f"jupyter_server {pyver('jupyter_server', os.path.join(os.path.dirname(HERE), '..', '..', '.venv', 'bin', 'python'))} (PyPI)",
             config="jupyter-server --ip=127.0.0.1 with token, default log format; bad token, 404s, "
                    "kernel start, SIGTERM; the kernel's own '[IPKernelApp] WARNING |' line has no time; TZ=UTC"),
        dict(src="celery.log", name="celery-worker.log", format="celery", parse=p_celery,
             program=f"celery {pyver('celery')} (PyPI), filesystem broker, prefork pool",
             config="celery worker -l INFO --logfile; default worker log format; task exceptions, "
                    "retries, pool workers killed with SIGKILL; TZ=UTC"),
        dict(src="supervisord.log", name="supervisord.log", format="timestamp-level-message",
             parse=p_supervisord, program=f"supervisord {debver('supervisor')} (Debian package supervisor)",
             config="default logfile format '%(asctime)s %(levelname)s %(message)s' (levels CRIT/ERRO/WARN/"
                    "INFO/DEBG); crashing program, missing command, SIGKILL, restart, SIGHUP; TZ=UTC"),
        dict(src="node-pino.log", name="pino.jsonl", format="pino", parse=j_pino,
             program=f"pino {npmver('pino')} (npm), Node {NODEV}",
             config="pino({level:'trace'}, pino.destination(file)); err serializer"),
        dict(src="node-winston.log", name="winston.jsonl", format="winston", parse=j_winston,
             program=f"winston {npmver('winston')} (npm), Node {NODEV}",
             config="format.combine(timestamp(), errors({stack:true}), json()), File transport"),
        dict(src="node-bunyan.log", name="bunyan.jsonl", format="bunyan", parse=j_bunyan,
             program=f"bunyan {npmver('bunyan')} (npm), Node {NODEV}",
             config="createLogger({name:'shop', streams:[{level:'trace', path}]}), stdSerializers"),
        dict(src="node-morgan.log", name="morgan-access.log", format="apache-combined", parse=p_combined,
             program=f"morgan {npmver('morgan')} + express {npmver('express')} (npm), Node {NODEV}",
             config="morgan('combined') to a file stream (always UTC +0000)"),
        dict(src="go-slog-text.log", name="go-slog-text.log", format="logfmt", parse=p_logfmt,
             program=f"golang.org/x/exp/slog TextHandler (Debian golang-golang-x-exp-dev "
                     f"{debver('golang-golang-x-exp-dev')}), {godeb}",
             config="HandlerOptions{Level: Debug}.NewTextHandler(file); x/exp/slog is the pre-1.21 "
                    "log/slog (Debian 12 has Go 1.19); TZ=UTC"),
        dict(src="go-slog-text-tz.log", name="go-slog-text-tz.log", format="logfmt", parse=p_logfmt,
             program=f"golang.org/x/exp/slog TextHandler (Debian golang-golang-x-exp-dev "
                     f"{debver('golang-golang-x-exp-dev')}), {godeb}",
             config="HandlerOptions{Level: Debug}.NewTextHandler(file); TZ=Europe/Berlin (+01:00)"),
        dict(src="go-slog-json.log", name="go-slog-json.jsonl", format="slog-json", parse=j_slog,
             program=f"golang.org/x/exp/slog JSONHandler (Debian golang-golang-x-exp-dev "
                     f"{debver('golang-golang-x-exp-dev')}), {godeb}",
             config="HandlerOptions{Level: Debug}.NewJSONHandler(file); time RFC3339Nano (trailing zeros "
                    "trimmed); TZ=UTC"),
        dict(src="go-logrus.log", name="logrus.log", format="logfmt", parse=p_logrus,
             program=f"github.com/sirupsen/logrus {debver('golang-github-sirupsen-logrus-dev')} (Debian "
                     f"golang-github-sirupsen-logrus-dev), {godeb}",
             config="logrus.New() TextFormatter defaults to a file (no colours, quoted RFC3339 time), "
                    "Level=Trace; net/http ErrorLog via WriterLevel(Error) (one record per line); "
                    "Panic recovered; TZ=UTC"),
        dict(src="go-logrus-tz.log", name="logrus-tz.log", format="logfmt", parse=p_logrus,
             program=f"github.com/sirupsen/logrus {debver('golang-github-sirupsen-logrus-dev')} (Debian "
                     f"golang-github-sirupsen-logrus-dev), {godeb}",
             config="logrus.New() TextFormatter defaults to a file; TZ=Europe/Berlin (+01:00)"),
        dict(src="go-logrus-json.log", name="logrus-json.jsonl", format="jsonl", parse=j_logrus,
             program=f"github.com/sirupsen/logrus {debver('golang-github-sirupsen-logrus-dev')} (Debian "
                     f"golang-github-sirupsen-logrus-dev), {godeb}",
             config="logrus JSONFormatter{} defaults; keys: level (trace/debug/info/warning/error/panic), "
                    "msg, time (RFC3339, seconds), plus fields; TZ=UTC"),
        dict(src="go-log.log", name="go-log.log", format="go-log", parse=p_golog, program=godeb,
             config="standard log package, default flags (LstdFlags); net/http server ErrorLog with a "
                    "handler panic and goroutine stack; TZ=UTC"),
        dict(src="go-klog.log", name="klog.log", format="klog", parse=make_klog(klog_year),
             read={"year": klog_year},
             program=f"k8s.io/klog/v2 {debver('golang-k8s-klog-dev')} (Debian golang-k8s-klog-dev), {godeb}",
             config="klog defaults (stderr), InfoS/ErrorS/Warning/Fatal, CopyStandardLogTo(ERROR) for "
                    "net/http panics; TZ=UTC"),
        dict(src="go-zap.log", name="zap.jsonl", format="zap-json", parse=j_zap,
             program=f"go.uber.org/zap {debver('golang-go.uber-zap-dev')} (Debian golang-go.uber-zap-dev), {godeb}",
             config="zap.NewProductionConfig() with Level=Debug, OutputPaths=[file]; stacktrace on error, DPanic"),
        dict(src="caddy.log", name="caddy.jsonl", format="zap-json", parse=j_zap,
             program=f"Caddy {debver('caddy')} (Debian package caddy)",
             config="global log {output file; format json; level DEBUG}; file_server, reverse_proxy to a "
                    "dead upstream (502), reload, stop"),
        dict(src="caddy-access.log", name="caddy-access.jsonl", format="zap-json", parse=j_zap,
             program=f"Caddy {debver('caddy')} (Debian package caddy)",
             config="site log {output file; format json} (logger http.log.access.log0: level info for 2xx, error for 4xx/5xx as Caddy 2.6 writes it)"),
        dict(src="java-logback.log", name="logback.log", format="logback", parse=p_logback,
             program=f"logback-classic {debver('liblogback-java')} + slf4j {debver('libslf4j-java')} "
                     f"(Debian), OpenJDK {debver('openjdk-17-jre-headless')}",
             config="FileAppender pattern '%d{yyyy-MM-dd HH:mm:ss.SSS} [%thread] %-5level %logger{36} - %msg%n'; TZ=UTC"),
        dict(src="java-log4j.log", name="log4j2.log", format="log4j", parse=p_log4j,
             program=f"log4j2 {debver('liblog4j2-java')} (Debian liblog4j2-java), OpenJDK {debver('openjdk-17-jre-headless')}",
             config="File appender PatternLayout '%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%t] %c: %m%n' "
                    "(log4j2 appends extended stack traces); TZ=UTC"),
    ]
    return S


if __name__ == "__main__":
    os.makedirs(DEST, exist_ok=True)
    only = set(os.environ.get("ONLY", "").split()) if os.environ.get("ONLY") else None
    bases = [s["name"].rsplit(".", 1)[0] for s in specs()]
    assert len(bases) == len(set(bases)), "two excerpts would share one .expect.json"
    for s in specs():
        if only and s["name"] not in only:
            continue
        cut(s)
