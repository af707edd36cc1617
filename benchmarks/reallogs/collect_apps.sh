#!/usr/bin/env bash
# Collect real application logs (Python, Node, Go, Java loggers) for datasets/real/.
#
# Usage (from anywhere, as root on Debian 12; everything listens on 127.0.0.1 only):
#   benchmarks/reallogs/collect_apps.sh            # install, run every app, cut all excerpts
#   benchmarks/reallogs/collect_apps.sh gunicorn node   # only some steps (see STEPS below)
#   SKIP_INSTALL=1 benchmarks/reallogs/collect_apps.sh ...
# Full logs go to benchmarks/data/reallogs/ (git-ignored); excerpts and their
# *.expect.json are then cut into datasets/real/ by apps/cut_excerpts.py, whose
# per-format regexes (not llamalog) compute the expectations.
# Needs: root on Debian 12 (apt), PyPI and npm; jupyter-server is taken from the project's
# .venv; the other Python apps use a venv in benchmarks/data/reallogs/venv. Go libraries come
# from Debian golang-*-dev packages (GOPATH mode), Java libraries from Debian jars.
# Re-cut only (no re-run):  .venv/bin/python benchmarks/reallogs/apps/cut_excerpts.py \
#     benchmarks/data/reallogs datasets/real      (ONLY="klog.log zap.jsonl" limits it)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
APPS=$HERE/apps
OUT=$ROOT/benchmarks/data/reallogs
VENV=$OUT/venv
PY=$VENV/bin/python
mkdir -p "$OUT"
STEPS="pylog gunicorn uvicorn werkzeug tornado jupyter celery supervisord node go caddy java"
[ $# -gt 0 ] && STEPS="$*"

install() {
  [ -n "${SKIP_INSTALL:-}" ] && return
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=900 \
    curl nodejs npm golang-go caddy supervisor default-jdk-headless \
    liblog4j2-java liblogback-java libslf4j-java golang-k8s-klog-dev \
    golang-go.uber-zap-dev golang-golang-x-exp-dev >/dev/null
  [ -x "$PY" ] || "$ROOT/.venv/bin/python" -m venv "$VENV"
  "$VENV/bin/pip" install -q gunicorn uvicorn flask structlog python-json-logger celery tornado
  mkdir -p "$OUT/node"
  (cd "$OUT/node" && [ -f package.json ] || npm init -y >/dev/null; \
   cd "$OUT/node" && npm install -q --no-audit --no-fund pino winston bunyan morgan express >/dev/null)
}

waitport() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done; return 1; }
hit() { curl -s -o /dev/null -m "${3:-5}" -w "%{http_code} $2\n" "http://127.0.0.1:$1$2"; }

step_pylog() {
  for m in basic asctime jsonlogger structlog; do
    rm -f "$OUT/py-$m.log"; TZ=UTC "$PY" "$APPS/pylog_app.py" $m "$OUT/py-$m.log"
  done
  rm -f "$OUT/py-asctime-tz.log"; TZ=Europe/Berlin "$PY" "$APPS/pylog_app.py" asctime-tz "$OUT/py-asctime-tz.log"
}

gunicorn_run() {  # $1 = TZ, $2 = suffix
  local p=18301 pidf=$OUT/gunicorn.pid err=$OUT/gunicorn-error$2.log acc=$OUT/gunicorn-access$2.log
  rm -f "$err" "$acc"
  (cd "$APPS" && TZ=$1 "$VENV/bin/gunicorn" -w 2 --timeout 3 --graceful-timeout 2 -b 127.0.0.1:$p \
     --error-logfile "$err" --access-logfile "$acc" --pid "$pidf" -D wsgi_app:app)
  waitport $p
  hit $p /; hit $p /missing; hit $p /boom; hit $p /db; hit $p /
  for i in 1 2 3 4 5; do hit $p /; hit $p /wp-login.php; hit $p /robots.txt; done
  hit $p /slow 8 &
  sleep 6; hit $p /
  kill -9 "$(pgrep -P "$(cat "$pidf")" | head -n1)"; sleep 1.5
  hit $p /; hit $p "/admin/login.php"
  kill -HUP "$(cat "$pidf")"; sleep 2
  hit $p /; hit $p /boom
  kill -TERM "$(cat "$pidf")"; sleep 3; wait
}
step_gunicorn() { gunicorn_run UTC ""; gunicorn_run Europe/Berlin "-tz"; }

step_uvicorn() {
  local p=18302
  (cd "$APPS" && TZ=UTC "$VENV/bin/uvicorn" --host 127.0.0.1 --port $p asgi_app:app > "$OUT/uvicorn.log" 2>&1) &
  local pid=$!; waitport $p
  hit $p /; hit $p /missing; hit $p /boom; hit $p /db; hit $p /; hit $p /favicon.ico
  kill -INT $(pgrep -P $pid) 2>/dev/null || kill -INT $pid; sleep 2; wait
}

step_werkzeug() {
  local p=18303
  PYTHONUNBUFFERED=1 TZ=UTC "$PY" "$APPS/flask_app.py" $p > "$OUT/werkzeug.log" 2>&1 &
  local pid=$!; waitport $p
  hit $p /missing; hit $p /orders/3; hit $p /orders/7; hit $p /boom; hit $p /orders/999; hit $p /
  curl -s -o /dev/null -X POST "http://127.0.0.1:$p/orders/3"
  kill -TERM $pid; wait
}

step_tornado() {
  local p=18304
  rm -f "$OUT/tornado.log"
  TZ=UTC "$PY" "$APPS/tornado_app.py" --port=$p --log-file-prefix="$OUT/tornado.log" &
  local pid=$!; waitport $p
  hit $p /; hit $p /missing; hit $p /boom; hit $p /db
  curl -s -o /dev/null -d user=admin "http://127.0.0.1:$p/login"
  for i in 1 2 3 4 5 6; do hit $p /; hit $p /static/app.js; done; hit $p /boom
  hit $p /; hit $p /quit; sleep 1; kill $pid 2>/dev/null; wait
}

step_jupyter() {
  local p=18305 d=$OUT/jupyter-home tok=realcorpus0123456789abcdef
  rm -rf "$d"; mkdir -p "$d/nb"
  echo '{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5}' > "$d/nb/empty.ipynb"
  HOME=$d JUPYTER_CONFIG_DIR=$d/cfg JUPYTER_DATA_DIR=$d/data JUPYTER_RUNTIME_DIR=$d/rt TZ=UTC \
    "$ROOT/.venv/bin/jupyter-server" --ip=127.0.0.1 --port=$p --no-browser --allow-root \
    --ServerApp.token=$tok --ServerApp.root_dir="$d/nb" > "$OUT/jupyter.log" 2>&1 &
  local pid=$!; waitport $p
  hit $p "/api/contents?token=wrongtoken"
  hit $p "/api/status"
  hit $p "/no/such/page?token=$tok"
  hit $p "/api/contents/empty.ipynb?token=$tok"
  hit $p "/api/contents/missing.ipynb?token=$tok"
  curl -s -o /dev/null -X DELETE "http://127.0.0.1:$p/api/contents/missing.ipynb?token=$tok"
  curl -s -o /dev/null -H "Authorization: token $tok" -X POST -d '{"name":"python3"}' "http://127.0.0.1:$p/api/kernels" 
  sleep 3
  curl -s -H "Authorization: token $tok" "http://127.0.0.1:$p/api/kernels"
  hit $p "/api/kernels/00000000-dead-beef-0000-000000000000?token=$tok"
  kill -INT $pid; sleep 0.5; kill -INT $pid 2>/dev/null; sleep 3; kill $pid 2>/dev/null; wait
}

step_celery() {
  local b=$OUT/celery-broker
  rm -rf "$b" "$OUT/celery.log"; mkdir -p "$b/out" "$b/processed"
  cd "$APPS"
  BROKER_DIR=$b TZ=UTC "$VENV/bin/celery" -A celery_app worker -c 2 -l INFO -n w1@localhost \
     --logfile "$OUT/celery.log" > "$OUT/celery.stdout" 2>&1 &
  local pid=$!; sleep 6
  BROKER_DIR=$b "$PY" - <<'PY'
import time
from celery_app import add, divide, sync_db, sleepy
add.delay(2, 3); divide.delay(1, 0); sync_db.delay(); add.delay(40, 2)
sleepy.delay(8); sleepy.delay(8)
time.sleep(0.5)
divide.delay(10, 4)
PY
  sleep 6
  for c in $(pgrep -P $pid); do kill -9 $c; done; sleep 4
  kill -TERM $pid; for _ in $(seq 30); do kill -0 $pid 2>/dev/null || break; sleep 1; done
  kill -9 $pid 2>/dev/null; wait; cd - >/dev/null
}

step_supervisord() {
  local d=$OUT/supervisor
  rm -rf "$d"; mkdir -p "$d"
  cat > "$d/supervisord.conf" <<CONF
[supervisord]
logfile=$d/supervisord.log
pidfile=$d/supervisord.pid
childlogdir=$d
nodaemon=false
loglevel=info
[unix_http_server]
file=$d/supervisor.sock
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://$d/supervisor.sock
[program:crasher]
command=$PY $APPS/crasher.py
startsecs=2
startretries=3
autorestart=true
[program:web]
command=$PY -m http.server 18306 --bind 127.0.0.1
directory=$d
startsecs=1
[program:missing]
command=/usr/local/bin/no-such-daemon --serve
startretries=1
CONF
  TZ=UTC supervisord -c "$d/supervisord.conf"
  sleep 12
  supervisorctl -c "$d/supervisord.conf" stop web
  supervisorctl -c "$d/supervisord.conf" start web
  sleep 2
  kill -9 "$(supervisorctl -c "$d/supervisord.conf" pid web)"; sleep 3
  supervisorctl -c "$d/supervisord.conf" restart web; sleep 2
  kill -HUP "$(cat "$d/supervisord.pid")"; sleep 4
  kill -TERM "$(cat "$d/supervisord.pid")"; sleep 4
  cp "$d/supervisord.log" "$OUT/supervisord.log"
}

. "$HERE/collect_apps_more.sh"

install
for s in $STEPS; do echo "== $s"; "step_$s"; done
"$ROOT/.venv/bin/python" "$APPS/cut_excerpts.py" "$OUT" "$ROOT/datasets/real"
