"""Tiny real app for the Python logging corpus: a local HTTP server, a client, a
failing "database" connection and a chained exception.  Usage:
    python pylog_app.py MODE LOGFILE
MODE: basic | asctime | asctime-tz | jsonlogger | structlog
"""
import http.server
import logging
import socket
import sys
import threading
import time
import urllib.error
import urllib.request

mode, logfile = sys.argv[1], sys.argv[2]

if mode == "basic":
    logging.basicConfig(filename=logfile, level=logging.DEBUG)
elif mode == "asctime":
    logging.basicConfig(filename=logfile, level=logging.DEBUG,
                        format="%(asctime)s - %(name)s - %(levelname)s - %(message)s")
elif mode == "asctime-tz":
    logging.basicConfig(filename=logfile, level=logging.DEBUG,
                        format="%(asctime)s - %(name)s - %(levelname)s - %(message)s",
                        datefmt="%Y-%m-%d %H:%M:%S%z")
elif mode == "jsonlogger":
    from pythonjsonlogger.json import JsonFormatter
    h = logging.FileHandler(logfile)
    h.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s", timestamp=True))
    logging.basicConfig(handlers=[h], level=logging.DEBUG)
elif mode == "structlog":
    import structlog
    structlog.configure(
        processors=[structlog.stdlib.add_log_level, structlog.stdlib.add_logger_name,
                    structlog.processors.TimeStamper(fmt="iso", utc=True),
                    structlog.processors.format_exc_info,
                    structlog.processors.JSONRenderer()],
        logger_factory=structlog.stdlib.LoggerFactory())
    h = logging.FileHandler(logfile)
    h.setFormatter(logging.Formatter("%(message)s"))
    logging.basicConfig(handlers=[h], level=logging.DEBUG)
else:
    raise SystemExit("unknown mode " + mode)


def get(name):
    if mode == "structlog":
        import structlog
        return structlog.get_logger(name)
    return logging.getLogger(name)


log = get("app")
dblog = get("app.db")
httplog = get("app.http")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/":
            self.send_response(200); self.end_headers(); self.wfile.write(b"ok\n")
        elif self.path == "/boom":
            self.send_response(500); self.end_headers()
        else:
            self.send_error(404)

    def log_message(self, fmt, *args):
        httplog.info("served %s" % (fmt % args))


srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
port = srv.server_address[1]
threading.Thread(target=srv.serve_forever, daemon=True).start()
log.info("service starting, http port %d" % port)
log.debug("loading settings from /etc/pylog-app/settings.ini")
try:
    open("/etc/pylog-app/settings.ini").read()
except FileNotFoundError:
    log.warning("settings file missing, using defaults")


def connect_db(attempt):
    s = socket.socket()
    s.settimeout(1)
    try:
        s.connect(("127.0.0.1", 5999))
    finally:
        s.close()


for attempt in range(1, 4):
    try:
        connect_db(attempt)
    except ConnectionRefusedError as exc:
        dblog.warning("database connection attempt %d failed: %s" % (attempt, exc))
        time.sleep(0.2)
try:
    try:
        connect_db(4)
    except ConnectionRefusedError as exc:
        raise RuntimeError("database 127.0.0.1:5999 unavailable") from exc
except RuntimeError:
    dblog.exception("giving up on the database")

for path in ["/", "/missing", "/", "/boom", "/favicon.ico"]:
    url = "http://127.0.0.1:%d%s" % (port, path)
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            log.info("GET %s -> %d" % (path, r.status))
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            log.exception("request to %s failed" % path)
        else:
            log.warning("GET %s -> %d" % (path, exc.code))
    time.sleep(0.05)

orders = [("A-1", 3, 30.0), ("A-2", 0, 12.5), ("A-3", 2, 9.0)]
for oid, qty, total in orders:
    try:
        log.info("order %s unit price %.2f" % (oid, total / qty))
    except ZeroDivisionError:
        log.exception("could not price order %s" % oid)
log.critical("shutting down after fatal database error")
srv.shutdown()
