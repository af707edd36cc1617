#!/usr/bin/env bash
# Collect the HELD-OUT real-log corpus (datasets/holdout/): logs of programs whose layouts the
# format auto-detection was not built for, to measure how it generalises.
#
# Usage (as root on Debian 12 "bookworm"; nothing else on the ports below):
#   bash benchmarks/reallogs/collect_holdout.sh                 # install, run every program, cut
#   bash benchmarks/reallogs/collect_holdout.sh named php       # only some sections
#   bash benchmarks/reallogs/collect_holdout.sh cut             # only re-cut excerpts + expectations
# Sections (default order): install named unbound nsd knot php tinyproxy privoxy samba
#   uwsgi mojo elixir ruby freshclam php_stop dovecot cups chrony memcached stopall cut
#   (the php section's server is also the upstream of the proxies, Elixir, Ruby and freshclam)
# Every server listens on 127.0.0.1 only and gets real traffic (dig/kdig, curl, smbclient, raw IMAP,
# ...) including failures (NXDOMAIN, REFUSED, bad zone files, wrong passwords, 404s, exceptions,
# dead upstreams, restarts). Full logs go to benchmarks/data/holdout/ (git-ignored);
# benchmarks/reallogs/holdout_cut.py cuts the excerpts into datasets/holdout/ and derives the
# *.expect.json records with its own per-program regexes (never llamalog). Programs run with TZ=UTC.
# Timestamps/pids change on every run, so a regrown corpus differs in values, not in layout.
# Ports: named 5301, unbound 5302, nsd 5303, knot 5304, tinyproxy 8901, privoxy 8902, php 8903,
#   mojo 8904, uwsgi 8905, cups 6310, imap 1143, smbd 4450, chrony (NTP) 11123,
#   memcached 11212;
#   5399 is a dead port used as a failing upstream.
set -u
export TZ=UTC LC_ALL=C.UTF-8
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$REPO/benchmarks/reallogs
OUT=$REPO/benchmarks/data/holdout
W=/tmp/llhold                      # scratch: configs, pid files, data dirs
mkdir -p "$OUT" "$W"
log() { echo "[$(date -u +%T)] $*" >&2; }
waitport() { for _ in $(seq 1 60); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.5; done; log "port $1 not up"; return 1; }
killpid() { [ -s "$1" ] && kill "$(cat "$1")" 2>/dev/null; sleep 1; }
DIG="dig +tries=1 +time=2 @127.0.0.1"

PKGS="bind9 bind9-dnsutils unbound nsd knot knot-dnsutils php-cli tinyproxy privoxy samba smbclient cups
 cups-client dovecot-imapd uwsgi uwsgi-plugin-python3 libmojolicious-perl elixir ruby clamav-freshclam
 chrony memcached curl socat"
install() {
  # policy-rc.d: keep Debian from auto-starting the daemons; we start them by hand on 127.0.0.1.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $PKGS >/dev/null
}

zonefile() { # zonefile ORIGIN FILE [broken]
  cat > "$2" <<Z
\$TTL 300
@   IN SOA ns1.$1. admin.$1. ( 2026120801 3600 600 86400 300 )
    IN NS  ns1.$1.
ns1 IN A   127.0.0.1
www IN A   127.0.0.1
mail IN A  127.0.0.2
@   IN TXT "held-out corpus"
Z
  [ "${3:-}" = broken ] && printf 'bad IN CNAME www\nbad IN A 127.0.0.9\nalso IN BOGUSTYPE 1\n' >> "$2"
}

named() {
  log named; local d=$W/named; mkdir -p $d; rm -f $OUT/bind9-named.log*
  zonefile example.test $d/example.test.zone; zonefile broken.test $d/broken.test.zone broken
  cat > $d/named.conf <<C
options { directory "$d"; pid-file "$d/named.pid"; listen-on port 5301 { 127.0.0.1; };
  listen-on-v6 { none; }; recursion no; allow-transfer { none; }; dnssec-validation no; };
controls { };
logging {
  channel f { file "$OUT/bind9-named.log" versions 3 size 20m; print-time yes; print-severity yes;
              print-category yes; severity info; };
  category default { f; }; category queries { f; }; category lame-servers { f; };
  category security { f; }; category xfer-out { f; }; category update { f; }; category notify { f; };
};
zone "example.test" { type primary; file "example.test.zone"; allow-update { none; }; };
zone "broken.test" { type primary; file "broken.test.zone"; };
zone "sec.test" { type secondary; file "sec.test.zone"; primaries { 127.0.0.1 port 5399; }; };
C
  : > $OUT/bind9-named.log; chown bind $OUT/bind9-named.log; chown -R bind $d
  /usr/sbin/named -c $d/named.conf -u bind -n 1 2>>$W/named.stderr; sleep 2; waitport 5301
  for q in www.example.test ns1.example.test nx.example.test "example.test TXT" "example.test MX" \
           www.broken.test www.debian.org "example.test AXFR" "sec.test SOA" "version.bind TXT CH"; do
    $DIG -p 5301 $q +short >/dev/null 2>&1; done
  printf 'server 127.0.0.1 5301\nzone example.test\nupdate add evil.example.test 60 A 10.0.0.1\nsend\n' | nsupdate >/dev/null 2>&1
  # zone edited with a typo, then reload (SIGHUP), then fixed and reloaded again
  echo 'typo IN A 999.1.1.1' >> $d/example.test.zone; sed -i 's/2026120801/2026120802/' $d/example.test.zone
  kill -HUP "$(cat $d/named.pid)"; sleep 2; $DIG -p 5301 www.example.test >/dev/null
  sed -i '/typo/d; s/2026120802/2026120803/' $d/example.test.zone; kill -HUP "$(cat $d/named.pid)"; sleep 2
  for i in 1 2 3; do $DIG -p 5301 www$i.example.test +short >/dev/null; done
  killpid $d/named.pid; sleep 1
}

unbound() {
  log unbound; local d=$W/unbound; mkdir -p $d; rm -f $OUT/unbound.log
  cat > $d/unbound.conf <<C
server:
  interface: 127.0.0.1
  port: 5302
  do-ip6: no
  username: ""
  chroot: ""
  directory: "$d"
  pidfile: "$d/unbound.pid"
  logfile: "$OUT/unbound.log"
  use-syslog: no
  verbosity: 2
  log-queries: yes
  log-replies: yes
  log-servfail: yes
  access-control: 127.0.0.1/32 allow
  access-control: 127.0.0.2/32 refuse
  do-not-query-localhost: no
  module-config: "iterator"
  domain-insecure: "test."
  local-zone: "blocked.test." always_nxdomain
forward-zone:
  name: "example.test."
  forward-addr: 127.0.0.1@5301
forward-zone:
  name: "."
  forward-addr: 127.0.0.1@5399
C
  /usr/sbin/unbound -d -c $d/unbound.conf 2>>$W/unbound.stderr & sleep 2
  for q in www.example.test nx.example.test ns1.example.test www.blocked.test www.debian.org "example.test TXT"; do
    $DIG -p 5302 $q >/dev/null 2>&1; done
  $DIG -p 5302 -b 127.0.0.2 www.example.test >/dev/null 2>&1
  $DIG -p 5302 www.example.test >/dev/null 2>&1   # cached
  kill -HUP "$(cat $d/unbound.pid)"; sleep 1
  for q in mail.example.test www.example.test; do $DIG -p 5302 $q >/dev/null 2>&1; done
  killpid $d/unbound.pid
}

nsd() {
  log nsd; local d=$W/nsd; mkdir -p $d; rm -f $OUT/nsd.log
  zonefile example.test $d/example.test.zone; zonefile broken.test $d/broken.test.zone broken
  cat > $d/nsd.conf <<C
server:
  ip-address: 127.0.0.1@5303
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "$d"
  database: ""
  pidfile: "$d/nsd.pid"
  xfrdfile: "$d/xfrd.state"
  zonelistfile: "$d/zone.list"
  logfile: "$OUT/nsd.log"
  verbosity: 2
remote-control:
  control-enable: no
zone:
  name: example.test
  zonefile: example.test.zone
zone:
  name: broken.test
  zonefile: broken.test.zone
zone:
  name: sec.test
  zonefile: sec.test.zone
  request-xfr: 127.0.0.1@5399 NOKEY
  allow-notify: 127.0.0.1 NOKEY
C
  /usr/sbin/nsd -c $d/nsd.conf 2>>$W/nsd.stderr; sleep 2
  for q in www.example.test nx.example.test "example.test AXFR" www.broken.test "sec.test SOA"; do $DIG -p 5303 $q >/dev/null 2>&1; done
  kdig @127.0.0.1 -p 5303 +notify sec.test SOA >/dev/null 2>&1 || true
  sleep 3; kill -HUP "$(cat $d/nsd.pid)"; sleep 2; killpid $d/nsd.pid; sleep 1
  /usr/sbin/nsd -c $d/nsd.conf 2>>$W/nsd.stderr; sleep 3; killpid $d/nsd.pid
}

knot() {
  log knot; local d=$W/knot; mkdir -p $d; rm -rf $d/*; rm -f $OUT/knot.log
  zonefile example.test $d/example.test.zone; zonefile broken.test $d/broken.test.zone broken
  cat > $d/knot.conf <<C
server:
    rundir: "$d"
    listen: 127.0.0.1@5304
log:
  - target: $OUT/knot.log
    any: info
database:
    storage: "$d"
control:
    listen: "$d/knot.sock"
remote:
  - id: dead
    address: 127.0.0.1@5399
acl:
  - id: notify_from_dead
    address: 127.0.0.2
    action: notify
zone:
  - domain: example.test
    file: "$d/example.test.zone"
  - domain: broken.test
    file: "$d/broken.test.zone"
  - domain: sec.test
    master: dead
    acl: notify_from_dead
C
  knotd -c $d/knot.conf 2>>$W/knot.stderr & sleep 3
  for q in www.example.test nx.example.test "example.test AXFR" "example.test IXFR=1" www.broken.test "sec.test SOA"; do
    kdig @127.0.0.1 -p 5304 +tries=1 +time=2 $q >/dev/null 2>&1; done
  kdig @127.0.0.1 -p 5304 +notify sec.test SOA >/dev/null 2>&1
  printf 'server 127.0.0.1 5304\nzone example.test\nupdate add evil.example.test 60 A 10.0.0.1\nsend\n' | knsupdate >/dev/null 2>&1
  echo 'typo IN A 999.1.1.1' >> $d/example.test.zone; sed -i 's/2026120801/2026120802/' $d/example.test.zone
  knotc -c $d/knot.conf zone-reload example.test >/dev/null 2>&1; sleep 2
  sed -i '/typo/d; s/2026120802/2026120803/' $d/example.test.zone; knotc -c $d/knot.conf zone-reload example.test >/dev/null 2>&1; sleep 2
  knotc -c $d/knot.conf zone-refresh sec.test >/dev/null 2>&1; sleep 2
  knotc -c $d/knot.conf stop >/dev/null 2>&1; sleep 2
}

php() {
  log php; local d=$W/php; mkdir -p $d; rm -f $OUT/php-server.log
  echo '<?php echo "hello\n";' > $d/index.php
  echo '<?php echo $undefined_var . "x\n"; $a = [1]; echo $a[5];' > $d/warn.php
  echo '<?php function f($n) { if ($n > 2) throw new RuntimeException("depth $n reached"); f($n + 1); } f(0);' > $d/boom.php
  echo '<?php echo "unterminated' > $d/parse.php
  echo '<?php trigger_error("custom notice", E_USER_NOTICE); trigger_error("custom warning", E_USER_WARNING); error_log("plain error_log line"); echo "ok";' > $d/user.php
  echo 'static file' > $d/static.txt
  (cd $d && exec /usr/bin/php -d display_errors=0 -d log_errors=1 -S 127.0.0.1:8903 -t $d >>$OUT/php-server.log 2>&1) &
  echo $! > $W/php.pid; waitport 8903
  for p in / /static.txt /nope.html /warn.php /boom.php /parse.php /user.php /index.php?x=1 /../etc/passwd; do
    curl -s -o /dev/null "http://127.0.0.1:8903$p"; done
  curl -s -o /dev/null -X POST -d a=b http://127.0.0.1:8903/index.php
  curl -s -o /dev/null -X DELETE http://127.0.0.1:8903/static.txt
}
php_stop() { killpid $W/php.pid; pkill -P "$(cat $W/php.pid 2>/dev/null)" 2>/dev/null; true; }

tinyproxy() {
  log tinyproxy; local d=$W/tinyproxy; mkdir -p $d; rm -f $OUT/tinyproxy.log
  : > $OUT/tinyproxy.log; chown nobody $OUT/tinyproxy.log; chown nobody $d
  printf 'blocked\\.test\nads\\.\n' > $d/filter
  cat > $d/tinyproxy.conf <<C
User nobody
Group nogroup
Port 8901
Listen 127.0.0.1
Timeout 5
LogFile "$OUT/tinyproxy.log"
LogLevel Info
PidFile "$d/tinyproxy.pid"
MaxClients 20
Allow 127.0.0.1
ConnectPort 443
Filter "$d/filter"
FilterURLs On
ViaProxyName "tinyproxy"
C
  /usr/bin/tinyproxy -c $d/tinyproxy.conf; waitport 8901
  P="curl -s -o /dev/null -m 8 -x http://127.0.0.1:8901"
  $P http://127.0.0.1:8903/; $P http://127.0.0.1:8903/nope.html; $P http://127.0.0.1:5399/dead
  $P http://blocked.test/; $P http://no-such-host.invalid/; $P https://127.0.0.1:8903/ ; $P http://127.0.0.1:8903/boom.php
  curl -s -o /dev/null -m 8 -x http://127.0.0.1:8901 --proxy-insecure -p http://127.0.0.1:22/ 2>/dev/null
  printf 'GARBAGE\r\n\r\n' | timeout 3 socat - TCP:127.0.0.1:8901 >/dev/null 2>&1
  curl -s -o /dev/null -m 8 --interface 127.0.0.2 -x http://127.0.0.1:8901 http://127.0.0.1:8903/ 2>/dev/null
  kill -HUP "$(cat $d/tinyproxy.pid)"; sleep 1; $P http://127.0.0.1:8903/static.txt
  killpid $d/tinyproxy.pid
}

privoxy() {
  log privoxy; local d=$W/privoxy; mkdir -p $d; rm -f $OUT/privoxy.log
  printf '{+block{held-out test}}\n.blocked.test\n/ads/\n' > $d/user.action
  cat > $d/config <<C
confdir /etc/privoxy
logdir $OUT
logfile privoxy.log
actionsfile match-all.action
actionsfile default.action
actionsfile $d/user.action
filterfile default.filter
listen-address 127.0.0.1:8902
toggle 1
enable-remote-toggle 0
enable-edit-actions 0
debug 1
debug 2
debug 1024
debug 4096
debug 8192
socket-timeout 5
C
  # --no-daemon: privoxy writes its log to stderr
  /usr/sbin/privoxy --no-daemon $d/config 2>>$OUT/privoxy.log & echo $! > $d/pid; waitport 8902
  P="curl -s -o /dev/null -m 8 -x http://127.0.0.1:8902"
  $P http://127.0.0.1:8903/; $P http://127.0.0.1:8903/nope.html; $P http://127.0.0.1:5399/dead
  $P http://www.blocked.test/; $P http://127.0.0.1:8903/ads/banner.gif; $P http://no-such-host.invalid/
  $P http://config.privoxy.org/show-status; $P http://p.p/nope
  printf 'GARBAGE\r\n\r\n' | timeout 3 socat - TCP:127.0.0.1:8902 >/dev/null 2>&1
  killpid $d/pid
}

samba() {
  log samba; local d=$W/samba; rm -rf $d; mkdir -p $d/{private,lock,state,cache,ncalrpc,share}; rm -f $OUT/samba-smbd.log*
  echo hello > $d/share/hello.txt
  cat > $d/smb.conf <<C
[global]
  workgroup = HOLDOUT
  netbios name = HOLDOUT
  interfaces = 127.0.0.1
  bind interfaces only = yes
  smb ports = 4450
  disable netbios = yes
  logging = file
  log file = $OUT/samba-smbd.log
  log level = 2
  max log size = 0
  private dir = $d/private
  lock directory = $d/lock
  state directory = $d/state
  cache directory = $d/cache
  pid directory = $d
  ncalrpc dir = $d/ncalrpc
  passdb backend = tdbsam:$d/private/passdb.tdb
  server role = standalone server
  map to guest = never
  load printers = no
  printing = bsd
  printcap name = /dev/null
[share]
  path = $d/share
  read only = no
[gone]
  path = $d/does-not-exist
C
  printf 'secret\nsecret\n' | smbpasswd -c $d/smb.conf -a -s root >/dev/null 2>&1
  # own session: on exit smbd signals its whole process group
  setsid smbd -F --no-process-group -s $d/smb.conf </dev/null & echo $! > $d/pid; waitport 4450
  S="smbclient -p 4450 -s $d/smb.conf"
  $S //127.0.0.1/share -U root%secret -c 'ls; get hello.txt /dev/null; get nope.txt /dev/null; put /etc/hostname up.txt; rm nope2' >/dev/null 2>&1
  $S //127.0.0.1/share -U root%wrong -c ls >/dev/null 2>&1
  $S //127.0.0.1/share -U nosuchuser%x -c ls >/dev/null 2>&1
  $S //127.0.0.1/missing -U root%secret -c ls >/dev/null 2>&1
  $S //127.0.0.1/gone -U root%secret -c ls >/dev/null 2>&1
  $S -L 127.0.0.1 -U root%secret >/dev/null 2>&1
  kill -HUP "$(cat $d/pid)"; sleep 1
  $S //127.0.0.1/share -U root%secret -c 'ls' >/dev/null 2>&1
  killpid $d/pid; sleep 1
}

uwsgi() {
  log uwsgi; local d=$W/uwsgi; mkdir -p $d; rm -f $OUT/uwsgi.log
  cat > $d/app.py <<'P'
import json, time
def application(env, start_response):
    path = env["PATH_INFO"]
    if path == "/boom":
        return [json.loads("{not json")]
    if path == "/slow":
        time.sleep(1.5)
    if path.startswith("/missing"):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"no\n"]
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello\n"]
P
  command uwsgi --plugin python3 --http-socket 127.0.0.1:8905 --wsgi-file $d/app.py --master --processes 2 \
        --harakiri 5 --pidfile $d/pid --logto $OUT/uwsgi.log --vacuum >/dev/null 2>&1 &
  waitport 8905; sleep 1
  for p in / /missing /boom / /slow "/?q=1"; do curl -s -o /dev/null -m 5 http://127.0.0.1:8905$p; done
  curl -s -o /dev/null -X POST -d x=1 http://127.0.0.1:8905/
  printf 'GARBAGE\r\n\r\n' | timeout 2 socat - TCP:127.0.0.1:8905 >/dev/null 2>&1
  kill -9 "$(pgrep -P "$(cat $d/pid)" | head -1)"; sleep 2
  curl -s -o /dev/null http://127.0.0.1:8905/
  kill -HUP "$(cat $d/pid)"; sleep 3; curl -s -o /dev/null http://127.0.0.1:8905/boom
  kill -INT "$(cat $d/pid)"; sleep 2
}

mojo() {
  log mojo; local d=$W/mojo; mkdir -p $d; rm -f $OUT/mojolicious.log
  cat > $d/app.pl <<P
use Mojolicious::Lite -signatures;
app->log->path('$OUT/mojolicious.log');
app->log->level('trace');
get '/' => sub (\$c) { \$c->render(text => 'hello') };
get '/boom' => sub (\$c) { my \$h = undef; \$h->method_on_undef };
get '/die' => sub (\$c) { die "database unreachable at 127.0.0.1:5399\n" };
get '/warn' => sub (\$c) { \$c->app->log->warn('slow upstream, 1500 ms'); \$c->render(text => 'ok') };
get '/fatal' => sub (\$c) { \$c->app->log->fatal('config key "secret" missing'); \$c->render(text => 'ok', status => 503) };
post '/login' => sub (\$c) { \$c->app->log->error('login failed for user ' . (\$c->param('u') // '-')); \$c->render(text => 'no', status => 401) };
app->start;
P
  MOJO_MODE=production perl $d/app.pl daemon -l http://127.0.0.1:8904 >/dev/null 2>&1 & echo $! > $d/pid; waitport 8904
  for p in / /nope /boom /die /warn /fatal "/?x=1" /boom /warn; do curl -s -o /dev/null http://127.0.0.1:8904$p; done
  curl -s -o /dev/null -d u=admin http://127.0.0.1:8904/login; killpid $d/pid
  MOJO_MODE=development perl $d/app.pl daemon -l http://127.0.0.1:8904 >/dev/null 2>&1 & echo $! > $d/pid; waitport 8904
  for p in / /nope /boom /warn /die "/?page=2" /fatal; do curl -s -o /dev/null http://127.0.0.1:8904$p; done
  killpid $d/pid
}

elixir() {
  log elixir; rm -f $OUT/elixir-logger.log
  (cd $W && date -u +%F > $OUT/elixir-logger.date; command elixir $HERE/holdout_elixir.exs >>$OUT/elixir-logger.log 2>>$W/elixir.stderr)
}

ruby() {
  log ruby; rm -f $OUT/ruby-logger.log
  /usr/bin/ruby $HERE/holdout_ruby.rb $OUT/ruby-logger.log
}

imap() { # imap 'cmd1' 'cmd2' ... : one IMAP session on 127.0.0.1:1143
  { for c in "$@"; do printf '%s\r\n' "$c"; sleep 0.3; done; } | timeout 8 socat - TCP:127.0.0.1:1143 >/dev/null 2>&1; }
dovecot() {
  log dovecot; local d=$W/dovecot; rm -rf $d; mkdir -p $d/run $d/home; chmod 777 $d/home; rm -f $OUT/dovecot.log
  echo 'alice:{PLAIN}secret' > $d/users; echo 'bob:{PLAIN}hunter2' >> $d/users
  cat > $d/dovecot.conf <<C
base_dir = $d/run
log_path = $OUT/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_verbose = yes
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 1
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = passwd-file
  args = $d/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$d/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = 1143
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
}
C
  command dovecot -c $d/dovecot.conf; waitport 1143
  imap 'a LOGIN alice wrong' 'b LOGOUT'
  imap 'a LOGIN nosuch secret' 'b LOGOUT'
  imap 'a LOGIN alice secret' 'b SELECT INBOX' 'c SELECT Nope' 'd CREATE Work' 'e APPEND Nope {3+}' 'f LOGOUT'
  imap 'a LOGIN bob hunter2' 'b SELECT INBOX' 'c FETCH 1:* FLAGS' 'd BOGUS' 'e LOGOUT'
  imap 'GARBAGE' 'a STARTTLS' 'b LOGOUT'
  imap 'a LOGIN alice secret'     # client vanishes without LOGOUT
  kill -HUP "$(cat $d/run/master.pid)"; sleep 2
  kill -9 "$(pgrep -f 'dovecot/imap-login' | head -1)" 2>/dev/null; sleep 1
  imap 'a LOGIN bob wrong' 'b LOGOUT'
  for u in alice bob carol; do imap "a LOGIN $u guess" 'b LOGOUT'; done
  imap 'a LOGIN alice secret' 'b SELECT Work' 'c DELETE Work' 'd LOGOUT'
  kill "$(cat $d/run/master.pid)"; sleep 2
}

cups() {
  log cups; local d=$W/cups; rm -rf $d; mkdir -p $d/{spool,tmp,state,cache,ppd}; chmod 1777 $d/tmp; chown -R root:lp $d/spool $d/cache $d/state
  rm -f $OUT/cups-error.log $OUT/cups-access.log $OUT/cups-page.log
  cat > $d/cups-files.conf <<C
ServerRoot $d
RequestRoot $d/spool
TempDir $d/tmp
StateDir $d/state
CacheDir $d/cache
ErrorLog $OUT/cups-error.log
AccessLog $OUT/cups-access.log
PageLog $OUT/cups-page.log
FileDevice Yes
LogFilePerm 0644
C
  cat > $d/cupsd.conf <<C
LogLevel info
Listen 127.0.0.1:6310
Browsing No
WebInterface Yes
DefaultAuthType Basic
<Location />
  Order allow,deny
  Allow 127.0.0.1
</Location>
<Location /admin>
  Order allow,deny
  Allow 127.0.0.1
</Location>
<Location /admin/conf>
  AuthType Basic
  Require user @SYSTEM
  Order allow,deny
  Allow 127.0.0.1
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
C
  cp /etc/cups/raw.* $d/ 2>/dev/null; cp /usr/share/cups/mime/* $d/ 2>/dev/null
  /usr/sbin/cupsd -f -c $d/cupsd.conf -s $d/cups-files.conf 2>>$W/cups.stderr & echo $! > $d/pid; waitport 6310
  export CUPS_SERVER=127.0.0.1:6310
  lpadmin -p office -E -v file:///dev/null -m raw 2>/dev/null
  lpadmin -p broken -E -v file:///tmp/llhold/cups/nonexistent/dir/out -m raw 2>/dev/null
  lpadmin -p ghost -E -v socket://127.0.0.1:5399 -m raw 2>/dev/null
  echo "hello printer" | lp -d office >/dev/null 2>&1
  echo "to nowhere" | lp -d broken >/dev/null 2>&1
  echo "to a dead socket" | lp -d ghost >/dev/null 2>&1
  echo "no such queue" | lp -d nosuchprinter >/dev/null 2>&1
  lpstat -t >/dev/null 2>&1; cancel -a ghost >/dev/null 2>&1
  for p in / /printers/ /printers/office /printers/nope /jobs/ /admin /admin/?OP=add-printer /nope.html; do
    curl -s -o /dev/null "http://127.0.0.1:6310$p"; done
  curl -s -o /dev/null -u root:wrong "http://127.0.0.1:6310/admin/conf/cupsd.conf"
  sleep 4; kill -HUP "$(cat $d/pid)"; sleep 2; lpstat -p >/dev/null 2>&1
  unset CUPS_SERVER; killpid $d/pid; sleep 1
}

chrony() { # an NTP server chronyd and a client chronyd (-x: never touches the clock) on 127.0.0.1
  log chrony; local d=$W/chrony; rm -rf $d; mkdir -p $d/srv $d/cli; rm -f $OUT/chrony*.log
  cat > $d/srv.conf <<C
port 11123
bindaddress 127.0.0.1
allow 127.0.0.1
local stratum 8
cmdport 0
pidfile $d/srv/pid
driftfile $d/srv/drift
C
  cat > $d/cli.conf <<C
server 127.0.0.1 port 11123 iburst minpoll -2 maxpoll -2
server 127.0.0.1 port 5399 iburst minpoll -2 maxpoll -2
server no-such-ntp-host.invalid iburst
port 0
cmdport 0
pidfile $d/cli/pid
driftfile $d/cli/drift
makestep 1 3
logdir $d/cli
log measurements statistics tracking
logchange 0.0001
C
  chronyd -x -u root -f $d/srv.conf -l $OUT/chrony-server.log; sleep 1
  chronyd -x -u root -f $d/cli.conf -l $OUT/chrony.log; sleep 25
  kill "$(cat $d/srv/pid)"; sleep 8      # the client loses its server
  chronyd -x -u root -f $d/srv.conf -l $OUT/chrony-server.log; sleep 12
  kill "$(cat $d/cli/pid)" "$(cat $d/srv/pid)"; sleep 1
  cp $d/cli/measurements.log $OUT/chrony-measurements.log; cp $d/cli/tracking.log $OUT/chrony-tracking.log
}

freshclam() { # ClamAV signature updates from two local "mirrors": a dead port and the PHP server (404s)
  log freshclam; local d=$W/freshclam; rm -rf $d; mkdir -p $d/db; rm -f $OUT/freshclam.log
  cat > $d/freshclam.conf <<C
DatabaseDirectory $d/db
UpdateLogFile $OUT/freshclam.log
LogTime yes
LogVerbose no
DatabaseOwner root
DNSDatabaseInfo no
PrivateMirror http://127.0.0.1:5399
PrivateMirror http://127.0.0.1:8903
MaxAttempts 2
ConnectTimeout 3
ReceiveTimeout 5
C
  timeout 60 /usr/bin/freshclam --config-file=$d/freshclam.conf >/dev/null 2>&1
  timeout 60 /usr/bin/freshclam --config-file=$d/freshclam.conf --verbose >/dev/null 2>&1
}

memcached() { # memcached -vv writes every command and reply of its clients to stderr
  log memcached; local d=$W/memcached; mkdir -p $d; rm -f $OUT/memcached.log
  /usr/bin/memcached -vv -u nobody -l 127.0.0.1 -p 11212 -U 0 -m 8 -P $d/pid 2>>$OUT/memcached.log & echo $! > $d/pid2; waitport 11212
  mc() { printf "$1" | timeout 2 socat - TCP:127.0.0.1:11212 >/dev/null 2>&1; }
  mc 'set greeting 0 60 5\r\nhello\r\nget greeting\r\nget missing\r\nquit\r\n'
  mc 'incr greeting 1\r\nadd greeting 0 0 1\r\nx\r\ndelete nope\r\nquit\r\n'
  mc 'set big 0 0 3\r\ntoolong\r\nquit\r\n'
  mc 'bogus command\r\nstats nonsense\r\nversion\r\nquit\r\n'
  mc 'set n 0 0 1\r\n5\r\nincr n 10\r\ndecr n 100\r\ntouch n 10\r\ngets n\r\nflush_all\r\nget n\r\nquit\r\n'
  kill "$(cat $d/pid2)"; sleep 1
}

stopall() {
  for f in $W/*/pid $W/*/*.pid $W/php.pid; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null; done; true
}
cut() { log cut; /work/main/.venv/bin/python $HERE/holdout_cut.py || python3 $HERE/holdout_cut.py; }

SECTIONS="install named unbound nsd knot php tinyproxy privoxy samba uwsgi mojo elixir ruby freshclam php_stop dovecot cups chrony memcached stopall cut"
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  for s in ${@:-$SECTIONS}; do
    $s
  done
fi
