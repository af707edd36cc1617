#!/usr/bin/env bash
# Collect REAL server logs for the llamalog real-log corpus (see datasets/real/).
#
# Usage (as root on Debian 12 "bookworm", nothing else listening on the ports below):
#   bash benchmarks/reallogs/collect_servers.sh            # install, run every program, cut excerpts
#   bash benchmarks/reallogs/collect_servers.sh nginx pg   # only some sections (see SECTIONS below)
#   bash benchmarks/reallogs/collect_servers.sh cut        # only re-cut excerpts + expectations
# Steps/sections, in the default order: install nginx apache haproxy squid lighttpd syslog pg mariadb
# redis vsftpd mosquitto exim tomcat journald dpkg stopall cut. haproxy/squid start nginx if needed;
# syslog waits ~2 min for two cron runs; journald needs /dev/log free (rsyslog stopped). A full run
# takes about 6 minutes after the packages are installed. Timestamps, pids and ids change on every
# run, so a regrown corpus differs from the committed one in values, not in layout.
#
# Every server listens on 127.0.0.1 only and is driven with real traffic (curl, redis-cli, psql,
# mysql, ssh with wrong passwords, sendmail ...). Full logs go to benchmarks/data/reallogs/
# (git-ignored); benchmarks/reallogs/servers_cut.py then cuts the excerpts into datasets/real/
# and derives the *.expect.json records with its own per-format regexes (not llamalog).
# Programs run with TZ=UTC unless a section says otherwise (postgresql-cet).
# Ports: nginx 8081, apache 8082, lighttpd 8083, haproxy 8090, squid 3128, tomcat 8180,
# redis 6380, postgres 5433-5435, mariadb 3307, sshd 2222, postfix 25, exim 2525,
# vsftpd 2121, mosquitto 1884.
set -u
export TZ=UTC LC_ALL=C.UTF-8
REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$REPO/benchmarks/data/reallogs
W=/tmp/llsrv                      # scratch: configs, pid files, data dirs
mkdir -p "$OUT" "$W"
log() { echo "[$(date -u +%T)] $*" >&2; }
waitport() { for _ in $(seq 1 60); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.5; done; log "port $1 not up"; return 1; }
rawhttp() { # rawhttp PORT 'bytes'  : send raw bytes, print reply
  timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1; printf '$2' >&3; cat <&3" 2>/dev/null | head -1; }

PKGS="nginx apache2 mariadb-server mariadb-client postgresql postgresql-client redis-server redis-tools
 rsyslog openssh-server openssh-client sshpass sudo cron postfix haproxy squid lighttpd vsftpd mosquitto
 mosquitto-clients fail2ban curl tomcat10 systemd-journal-remote socat libidn12"

install_pkgs() {
  # policy-rc.d: keep Debian from auto-starting the daemons; we start them by hand on 127.0.0.1.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
  echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
  echo "postfix postfix/mailname string llamalog.test" | debconf-set-selections
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $PKGS
  # exim4 conflicts with postfix (both are the MTA): unpack its .debs and run the binary directly.
  mkdir -p $W/eximdeb && (cd $W/eximdeb && apt-get download exim4-daemon-light exim4-base exim4-config \
     && for d in *.deb; do dpkg-deb -x "$d" $W/eximroot; done)
  id llamatest >/dev/null 2>&1 || { useradd -m -s /bin/bash llamatest; echo 'llamatest:llamapass' | chpasswd; }
}

# ---------------------------------------------------------------- nginx (also the backend below)
nginx_conf() {
  mkdir -p $W/nginx/www/sub $W/nginx/tmp
  echo '<h1>hello</h1>' > $W/nginx/www/index.html
  echo 'secret' > $W/nginx/www/secret.html; chmod 000 $W/nginx/www/secret.html
  cat > $W/nginx/nginx.conf <<NG
user www-data;
worker_processes 2;
pid $W/nginx/nginx.pid;
error_log $OUT/nginx-error.log info;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  client_body_temp_path $W/nginx/tmp; proxy_temp_path $W/nginx/tmp;
  fastcgi_temp_path $W/nginx/tmp; uwsgi_temp_path $W/nginx/tmp; scgi_temp_path $W/nginx/tmp;
  access_log $OUT/nginx-access.log combined;
  server {
    listen 127.0.0.1:8081;
    root $W/nginx/www;
    location /up/ { proxy_pass http://127.0.0.1:9/; }
    location /sub/ { autoindex off; }
  }
}
NG
}
nginx_start() { nginx_conf; nginx -c $W/nginx/nginx.conf; waitport 8081; }
nginx_up() { { [ -f $W/nginx/nginx.pid ] && kill -0 "$(cat $W/nginx/nginx.pid)" 2>/dev/null; } || nginx_start; }
nginx_stop() { [ -f $W/nginx/nginx.pid ] && nginx -c $W/nginx/nginx.conf -s quit; sleep 1; }
sec_nginx() {
  log nginx; nginx_stop; rm -f $OUT/nginx-*.log; nginx_start
  local U=http://127.0.0.1:8081
  curl -s -o /dev/null $U/ -A 'Mozilla/5.0 (X11; Linux x86_64) llamalog-test'
  curl -s -o /dev/null $U/index.html -e http://127.0.0.1:8081/
  curl -s -o /dev/null $U/missing.html
  curl -s -o /dev/null $U/favicon.ico
  curl -s -o /dev/null $U/secret.html          # 403 permission denied
  curl -s -o /dev/null $U/sub/                 # 403 directory index forbidden
  curl -s -o /dev/null $U/up/api              # 502 upstream refused
  curl -s -o /dev/null -X POST -d 'a=1' $U/index.html   # 405
  rawhttp 8081 'GARBAGE\r\n\r\n'          # 400 bad request
  rawhttp 8081 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'   # 400 duplicate host
  curl -s -o /dev/null "$U/search?q=%27%20OR%201=1--"
  curl -s -o /dev/null -H 'Range: bytes=5-2' $U/index.html
  nginx -c $W/nginx/nginx.conf -s reload; sleep 1
  curl -s -o /dev/null $U/../../etc/passwd --path-as-is
  curl -s -o /dev/null $U/missing2.php
  kill -9 "$(pgrep -P "$(cat $W/nginx/nginx.pid)" | head -1)"; sleep 1   # a killed worker
  for i in 1 2 3; do curl -s -o /dev/null $U/; done
  curl -s -o /dev/null $U/up/health
  nginx -c $W/nginx/nginx.conf -s reopen; sleep 0.5
  curl -s -o /dev/null -I $U/
}

# ---------------------------------------------------------------- Apache httpd 2.4
sec_apache() {
  log apache2
  [ -f $W/apache/apache2.pid ] && { apache2 -f $W/apache/apache2.conf -k stop; sleep 2; }
  rm -f $OUT/apache2-*.log; mkdir -p $W/apache/www/private $W/apache/www/cgi
  echo '<h1>apache</h1>' > $W/apache/www/index.html
  echo 'no' > $W/apache/www/private/index.html
  printf '#!/bin/sh\necho "this is not a header"\necho "broken script: cannot open /etc/llamalog.conf" >&2\nexit 3\n' > $W/apache/www/cgi/broken.cgi
  printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nok\\n"\n' > $W/apache/www/cgi/ok.cgi
  chmod 755 $W/apache/www/cgi/*.cgi
  cat > $W/apache/apache2.conf <<AP
ServerRoot /etc/apache2
DefaultRuntimeDir $W/apache
PidFile $W/apache/apache2.pid
Mutex file:$W/apache default
User www-data
Group www-data
ServerName localhost
ErrorLog $OUT/apache2-error.log
LogLevel info
IncludeOptional mods-enabled/*.load
IncludeOptional mods-enabled/*.conf
LoadModule cgid_module /usr/lib/apache2/modules/mod_cgid.so
ScriptSock $W/apache/cgisock
LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
LogFormat "%h %l %u %t \"%r\" %>s %O \"%{Referer}i\" \"%{User-Agent}i\"" combined
CustomLog $OUT/apache2-access.log combined
Listen 127.0.0.1:8082
DocumentRoot $W/apache/www
<Directory $W/apache/www>
  Require all granted
</Directory>
<Directory $W/apache/www/private>
  Require all denied
</Directory>
<Directory $W/apache/www/cgi>
  Options +ExecCGI
  AddHandler cgi-script .cgi
</Directory>
ProxyPass /up/ http://127.0.0.1:9/
AP
  apache2 -f $W/apache/apache2.conf -k start; waitport 8082
  local U=http://127.0.0.1:8082
  curl -s -o /dev/null $U/
  curl -s -o /dev/null $U/missing.html
  curl -s -o /dev/null $U/private/
  curl -s -o /dev/null $U/cgi/ok.cgi
  curl -s -o /dev/null $U/cgi/broken.cgi
  curl -s -o /dev/null $U/cgi/nosuch.cgi
  for f in wp-login.php .env admin/config.php robots.txt; do curl -s -o /dev/null $U/$f; done
  curl -s -o /dev/null $U/private/index.html
  curl -s -o /dev/null $U/up/api
  curl -s -o /dev/null -u admin:wrong $U/index.html -e http://example.test/
  rawhttp 8082 'GARBAGE\r\n\r\n'
  rawhttp 8082 'GET /index.html HTTP/1.1\r\n\r\n'      # HTTP/1.1 without Host -> 400
  apache2 -f $W/apache/apache2.conf -k graceful; sleep 2
  curl -s -o /dev/null "$U/index.html?q=1"
  for f in index.html images/logo.png cgi/ok.cgi private/x.html "search?q=a+b" index.html; do curl -s -o /dev/null "$U/$f"; done
  curl -s -o /dev/null -X OPTIONS $U/; curl -s -o /dev/null -I $U/index.html
  curl -s -o /dev/null $U/up/health
  apache2 -f $W/apache/apache2.conf -k stop; sleep 2
}

# ---------------------------------------------------------------- HAProxy in front of nginx
sec_haproxy() {
  log haproxy; nginx_up; mkdir -p $W/haproxy
  cat > $W/haproxy/haproxy.cfg <<HA
global
  log stdout format raw local0
  pidfile $W/haproxy/haproxy.pid
defaults
  mode http
  log global
  option httplog
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend fe_main
  bind 127.0.0.1:8090
  use_backend be_down if { path_beg /down }
  default_backend be_nginx
backend be_nginx
  server nginx1 127.0.0.1:8081 check inter 1s
backend be_down
  server dead1 127.0.0.1:9 check inter 1s
HA
  haproxy -db -f $W/haproxy/haproxy.cfg > $OUT/haproxy.log 2> $W/haproxy/stderr.log &
  local hp=$!; waitport 8090; sleep 3
  local U=http://127.0.0.1:8090
  curl -s -o /dev/null $U/
  curl -s -o /dev/null $U/index.html -A 'Mozilla/5.0 llamalog'
  curl -s -o /dev/null $U/missing.html
  curl -s -o /dev/null $U/down/api
  curl -s -o /dev/null $U/up/api            # nginx -> 502
  curl -s -o /dev/null -X DELETE $U/index.html
  rawhttp 8090 'GARBAGE\r\n\r\n'
  curl -s -o /dev/null $U/secret.html
  curl -s -o /dev/null $U/down/
  for i in 1 2 3; do curl -s -o /dev/null "$U/?page=$i"; done
  for f in index.html robots.txt down/status sub/ index.html up/x index.html; do curl -s -o /dev/null "$U/$f"; done
  curl -s -o /dev/null -I $U/; curl -s -o /dev/null -X POST -d a=b $U/form
  kill -USR1 $hp; wait $hp 2>/dev/null   # soft stop
}

# ---------------------------------------------------------------- Squid proxy to nginx
sec_squid() {
  log squid; nginx_up; mkdir -p $W/squid $OUT/squid; chown proxy:proxy $W/squid $OUT/squid; rm -f $OUT/squid/*
  cat > $W/squid/squid.conf <<SQ
http_port 127.0.0.1:3128
pid_filename $W/squid/squid.pid
access_log stdio:$OUT/squid/access.log squid
cache_log $OUT/squid/cache.log
cache_store_log none
coredump_dir $W/squid
cache_mem 8 MB
shutdown_lifetime 1 seconds
visible_hostname llamalog-proxy
acl localnet src 127.0.0.1/32
acl okports port 8081 8090 9
http_access deny !okports
http_access allow localnet
http_access deny all
SQ
  squid -f $W/squid/squid.conf; waitport 3128; sleep 1
  local P="-x http://127.0.0.1:3128"
  curl -s -o /dev/null $P http://127.0.0.1:8081/
  curl -s -o /dev/null $P http://127.0.0.1:8081/index.html
  curl -s -o /dev/null $P http://127.0.0.1:8081/index.html
  curl -s -o /dev/null $P http://127.0.0.1:8081/missing.html
  curl -s -o /dev/null $P http://127.0.0.1:8082/               # port not allowed -> TCP_DENIED/403
  curl -s -o /dev/null $P http://127.0.0.1:9/                  # connect refused -> 503
  curl -s -o /dev/null $P http://127.0.0.1:8081/up/api         # nginx 502
  curl -s -o /dev/null -p $P https://127.0.0.1:8443/ 2>/dev/null  # CONNECT denied
  curl -s -o /dev/null $P -X POST -d x=1 http://127.0.0.1:8081/index.html
  curl -s -o /dev/null $P -I http://127.0.0.1:8090/
  squid -f $W/squid/squid.conf -k reconfigure; sleep 2
  curl -s -o /dev/null $P http://127.0.0.1:8081/
  for f in index.html robots.txt sub/ secret.html "index.html?v=2" up/y; do curl -s -o /dev/null $P "http://127.0.0.1:8081/$f"; done
  curl -s -o /dev/null $P http://127.0.0.1:25/                 # port not allowed
  curl -s -o /dev/null $P http://127.0.0.1:8090/missing.html   # via haproxy (stopped -> 503)
  curl -s -o /dev/null $P ftp://127.0.0.1:2121/                # ftp port not allowed
  squid -f $W/squid/squid.conf -k shutdown; sleep 4
}

# ---------------------------------------------------------------- lighttpd
sec_lighttpd() {
  log lighttpd; mkdir -p $W/lighttpd/www $OUT/lighttpd; chown www-data: $OUT/lighttpd; rm -f $OUT/lighttpd/*
  echo lighty > $W/lighttpd/www/index.html; echo pw > $W/lighttpd/www/x.secret
  cat > $W/lighttpd/lighttpd.conf <<LI
server.modules = ("mod_access", "mod_accesslog", "mod_proxy")
server.document-root = "$W/lighttpd/www"
server.bind = "127.0.0.1"
server.port = 8083
server.username = "www-data"
server.groupname = "www-data"
server.pid-file = "$W/lighttpd/lighttpd.pid"
server.errorlog = "$OUT/lighttpd/error.log"
accesslog.filename = "$OUT/lighttpd/access.log"
debug.log-file-not-found = "enable"
debug.log-request-header-on-error = "enable"
url.access-deny = (".secret")
\$HTTP["url"] =~ "^/up/" { proxy.server = ("" => (("host" => "127.0.0.1", "port" => 9))) }
LI
  lighttpd -D -f $W/lighttpd/lighttpd.conf & local lp=$!; waitport 8083
  local U=http://127.0.0.1:8083
  curl -s -o /dev/null $U/; curl -s -o /dev/null $U/missing.html; curl -s -o /dev/null $U/x.secret
  curl -s -o /dev/null $U/up/api; rawhttp 8083 'GARBAGE\r\n\r\n'
  rawhttp 8083 'GET / HTTP/1.1\r\n\r\n'
  for f in a.php b/c.html .git/config; do curl -s -o /dev/null $U/$f; done
  kill -HUP $lp; sleep 1
  curl -s -o /dev/null $U/up/again; curl -s -o /dev/null $U/nothing/here
  kill -TERM $lp; wait $lp 2>/dev/null
}

# ---------------------------------------------------------------- rsyslog + sshd, sudo, cron, postfix, fail2ban
# rsyslogd (run by hand, no systemd) receives /dev/log and postfix's chroot socket and writes the same
# messages in three layouts. Sources: real sshd on 127.0.0.1:2222, sudo, cron (real daemon, a job every
# minute), postfix (inet listener on 127.0.0.1:25, local bounce), plus one `logger` line.
sec_syslog() {
  log "rsyslog+sshd+sudo+cron+postfix+fail2ban"
  mkdir -p $W/rsyslog $OUT/syslog /run/sshd /var/run/fail2ban; rm -f $OUT/syslog/* $OUT/fail2ban.log
  cat > $W/rsyslog/rsyslog.conf <<RS
module(load="imuxsock")
input(type="imuxsock" Socket="/var/spool/postfix/dev/log")
global(workDirectory="$W/rsyslog")
*.* $OUT/syslog/traditional.log;RSYSLOG_TraditionalFileFormat
*.* $OUT/syslog/fileformat.log;RSYSLOG_FileFormat
*.* $OUT/syslog/rfc5424.log;RSYSLOG_SyslogProtocol23Format
RS
  rsyslogd -f $W/rsyslog/rsyslog.conf -i $W/rsyslog/rsyslogd.pid; sleep 1
  # cron with a job every minute
  echo '* * * * * root echo llamalog-cron-tick > /dev/null' > /etc/cron.d/llamalog
  cron
  # fail2ban watching the traditional file (dummy ban action, 127.0.0.1 not ignored)
  rm -rf $W/f2b; cp -r /etc/fail2ban $W/f2b
  cat > $W/f2b/fail2ban.local <<F2
[Definition]
loglevel = INFO
logtarget = $OUT/fail2ban.log
socket = $W/f2b.sock
pidfile = $W/f2b.pid
dbfile = :memory:
F2
  cat > $W/f2b/jail.local <<F2
[DEFAULT]
ignoreself = false
ignoreip =
banaction = dummy
banaction_allports = dummy
backend = polling
[sshd]
enabled = true
port = 2222
logpath = $OUT/syslog/traditional.log
maxretry = 3
findtime = 10m
bantime = 20s
F2
  fail2ban-client -c $W/f2b start; sleep 2
  # sshd
  /usr/sbin/sshd -p 2222 -o ListenAddress=127.0.0.1 -o PidFile=$W/sshd.pid -o PasswordAuthentication=yes; waitport 2222
  local SSH="ssh -p 2222 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no -o PreferredAuthentications=password -o NumberOfPasswordPrompts=1 -o LogLevel=ERROR"
  for pw in wrong1 wrong2; do sshpass -p $pw $SSH llamatest@127.0.0.1 true; done
  sshpass -p guess $SSH admin@127.0.0.1 true
  sshpass -p llamapass $SSH llamatest@127.0.0.1 'echo hello from ssh'
  echo 'GET / HTTP/1.0' | timeout 3 socat - TCP:127.0.0.1:2222 >/dev/null
  timeout 3 socat - TCP:127.0.0.1:2222 </dev/null >/dev/null
  sshpass -p wrong3 $SSH llamatest@127.0.0.1 true
  # sudo
  echo 'llamatest ALL=(root) /usr/bin/id' > /etc/sudoers.d/llamatest; chmod 440 /etc/sudoers.d/llamatest
  su - llamatest -c 'echo llamapass | sudo -S -p "" /usr/bin/id' >/dev/null
  su - llamatest -c 'echo nope | sudo -S -p "" /usr/bin/id' >/dev/null 2>&1
  su - llamatest -c 'echo llamapass | sudo -S -p "" /bin/cat /etc/shadow' >/dev/null 2>&1
  logger -t llamalog-test -p user.warning 'collect_servers.sh: syslog section running'
  # postfix
  postconf -e inet_interfaces=127.0.0.1 inet_protocols=ipv4 myhostname=llamalog.test \
     mydestination='llamalog.test, localhost' smtpd_banner='$myhostname ESMTP'
  postfix start; waitport 25
  printf 'Subject: hello\n\nlocal delivery\n' | sendmail llamatest@localhost
  printf 'Subject: bounce me\n\nto a missing user\n' | sendmail -f llamatest@localhost nosuchuser@localhost
  printf 'Subject: via smtp\n\nhi\n' > $W/mail.txt
  curl -s smtp://127.0.0.1:25 --mail-from sender@example.test --mail-rcpt ghost@localhost -T $W/mail.txt
  curl -s smtp://127.0.0.1:25 --mail-from sender@example.test --mail-rcpt llamatest@localhost -T $W/mail.txt
  printf 'EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<x@otherdomain.test>\r\nBDAT\r\nQUIT\r\n' | timeout 5 socat - TCP:127.0.0.1:25 >/dev/null
  # wait for at least two cron minutes
  local s=$(( 125 - 10#$(date +%S) )); log "waiting ${s}s for cron"; sleep $s
  sshpass -p llamapass $SSH llamatest@127.0.0.1 'uptime' >/dev/null
  postfix stop; sleep 1
  fail2ban-client -c $W/f2b stop
  kill "$(cat $W/sshd.pid)"; kill "$(cat /run/crond.pid)"; rm -f /etc/cron.d/llamalog /etc/sudoers.d/llamatest
  sleep 1; kill "$(cat $W/rsyslog/rsyslogd.pid)"; sleep 1
}

# ---------------------------------------------------------------- PostgreSQL 15: stderr UTC, stderr CET, jsonlog
PGBIN=/usr/lib/postgresql/15/bin
pg_workload() { # $1 = port
  local P="psql -X -q -h 127.0.0.1 -p $1 -U app -d appdb"
  export PGPASSWORD=apppass
  $P -c "CREATE TABLE IF NOT EXISTS items(id int primary key, name text)" -c "INSERT INTO items VALUES (1,'a'),(2,'b') ON CONFLICT DO NOTHING"
  $P -c "SELECT * FROM missing_table" 2>/dev/null
  $P -c "SELEC id FROM items" 2>/dev/null
  $P -c $'SELECT id,\n       name\n  FROM items\n WHERE id = 1/0;' 2>/dev/null
  $P -c "INSERT INTO items VALUES (1,'dup')" 2>/dev/null
  $P -c "DO \$\$ BEGIN RAISE WARNING 'stock for item % is low', 2; END \$\$" 2>/dev/null
  $P -c "SELECT pg_sleep(0.2)" >/dev/null
  PGPASSWORD=wrong psql -X -h 127.0.0.1 -p $1 -U app -d appdb -c 'select 1' 2>/dev/null
  psql -X -h 127.0.0.1 -p $1 -U app -d nosuchdb -c 'select 1' 2>/dev/null
  psql -X -h 127.0.0.1 -p $1 -U ghost -d appdb -c 'select 1' 2>/dev/null
  $P -c "SELECT pg_sleep(5)" 2>/dev/null & local bg=$!; sleep 1
  psql -X -q -h $W/pg -p $1 -U postgres -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(5)%' AND pid <> pg_backend_pid()" >/dev/null
  wait $bg
  psql -X -q -h $W/pg -p $1 -U postgres -d postgres -c "CHECKPOINT"
  unset PGPASSWORD
}
pg_run() { # $1 port, $2 extra conf lines, $3 stderr log file (pg_ctl -l)
  printf "port = $1\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '$W/pg'\nlog_line_prefix = '%%m [%%p] %%q%%u@%%d '\nlog_connections = on\nlog_disconnections = on\nlog_min_duration_statement = 100\n$2\n" > $W/pg/data/run.conf
  chown postgres $W/pg/data/run.conf
  su postgres -c "$PGBIN/pg_ctl -D $W/pg/data -l $3 -w start" >/dev/null
  pg_workload $1
  su postgres -c "$PGBIN/pg_ctl -D $W/pg/data -l $3 -w -m fast restart" >/dev/null
  PGPASSWORD=apppass psql -X -q -h 127.0.0.1 -p $1 -U app -d appdb -c "SELECT count(*) FROM itemz" 2>/dev/null
  su postgres -c "$PGBIN/pg_ctl -D $W/pg/data -w -m fast stop" >/dev/null
}
sec_pg() {
  log postgresql
  rm -rf $W/pg $OUT/pg; mkdir -p $W/pg $OUT/pg; chown postgres $W/pg $OUT/pg
  su postgres -c "$PGBIN/initdb -D $W/pg/data --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8" >/dev/null
  echo "include_if_exists = 'run.conf'" >> $W/pg/data/postgresql.conf
  su postgres -c "$PGBIN/pg_ctl -D $W/pg/data -l $W/pg/init.log -o '-p 5439 -k $W/pg -c listen_addresses=' -w start" >/dev/null
  psql -X -q -h $W/pg -p 5439 -U postgres -c "CREATE ROLE app LOGIN PASSWORD 'apppass'" -c "CREATE DATABASE appdb OWNER app"
  su postgres -c "$PGBIN/pg_ctl -D $W/pg/data -w stop" >/dev/null
  pg_run 5433 "log_timezone = 'UTC'" $OUT/pg/postgresql.log
  pg_run 5434 "log_timezone = 'CET'" $OUT/pg/postgresql-cet.log
  pg_run 5435 "log_timezone = 'UTC'
logging_collector = on
log_destination = 'jsonlog'
log_directory = '$OUT/pg'
log_filename = 'postgresql.log'" $OUT/pg/jsonlog-stderr.log
}

# ---------------------------------------------------------------- MariaDB: error log + slow log (long_query_time=0)
my_start() {
  mariadbd --no-defaults --user=mysql --datadir=/var/lib/mysql --socket=$W/mysql/mysql.sock --port=3307 \
    --bind-address=127.0.0.1 --pid-file=$W/mysql/mysql.pid --log-error=$OUT/mariadb/error.log \
    --slow-query-log=1 --slow-query-log-file=$OUT/mariadb/slow.log --long-query-time=0 --log-warnings=4 &
  for _ in $(seq 1 60); do [ -S $W/mysql/mysql.sock ] && break; sleep 0.5; done; sleep 1
}
sec_mariadb() {
  log mariadb; mkdir -p $OUT/mariadb $W/mysql; chown mysql $OUT/mariadb $W/mysql; rm -f $OUT/mariadb/*
  my_start
  local R="mariadb -S $W/mysql/mysql.sock -u root" A="mariadb -h 127.0.0.1 -P 3307 -u app -papppass appdb"
  $R -e "CREATE DATABASE IF NOT EXISTS appdb; CREATE USER IF NOT EXISTS 'app'@'127.0.0.1' IDENTIFIED BY 'apppass'; GRANT ALL ON appdb.* TO 'app'@'127.0.0.1';"
  $A -e "CREATE TABLE IF NOT EXISTS orders(id INT PRIMARY KEY AUTO_INCREMENT, item VARCHAR(20), qty INT); INSERT INTO orders(item,qty) VALUES ('apple',3),('pear',5);"
  $A -e "SELECT item, SUM(qty)
  FROM orders
 GROUP BY item;"
  $A -e "SELECT * FROM no_such_table" 2>/dev/null
  $A -e "SELEKT 1" 2>/dev/null
  $A -e "SELECT SLEEP(0.3), COUNT(*) FROM orders"
  mariadb -h 127.0.0.1 -P 3307 -u app -pwrong appdb -e 'select 1' 2>/dev/null
  mariadb -h 127.0.0.1 -P 3307 -u intruder -pletmein -e 'select 1' 2>/dev/null
  $R -e "SELECT user, host FROM mysql.user; SHOW GLOBAL STATUS LIKE 'Aborted_connects'" >/dev/null
  $A -e "SELECT SLEEP(3)" 2>/dev/null & local bg=$!; sleep 1
  $R -e "KILL (SELECT id FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(3)%' LIMIT 1)" 2>/dev/null \
   || $R -N -e "SELECT id FROM information_schema.processlist WHERE info LIKE 'SELECT SLEEP(3)%'" | xargs -r -I{} $R -e "KILL {}"
  wait $bg
  mariadb-admin -S $W/mysql/mysql.sock -u root shutdown; sleep 2
  my_start   # restart
  $A -e "UPDATE orders SET qty = qty + 1 WHERE item = 'apple'; DELETE FROM orders WHERE id > 100;"
  $A -e "SELECT * FROM orders WHERE qty > 'x'" >/dev/null 2>&1
  mariadb -h 127.0.0.1 -P 3307 -u app -pwrong2 appdb -e 'select 1' 2>/dev/null
  mariadb-admin -S $W/mysql/mysql.sock -u root shutdown; sleep 2
}

# ---------------------------------------------------------------- Redis
sec_redis() {
  log redis; mkdir -p $W/redis; rm -f $OUT/redis.log $W/redis/dump.rdb
  cat > $W/redis/redis.conf <<RC
bind 127.0.0.1
port 6380
daemonize yes
pidfile $W/redis/redis.pid
logfile $OUT/redis.log
loglevel verbose
dir $W/redis
save 60 1
maxmemory 100kb
RC
  redis-server $W/redis/redis.conf; sleep 1
  local C="redis-cli -p 6380"
  for i in 1 2 3 4 5; do $C SET key:$i value$i >/dev/null; done
  $C INCR counter >/dev/null; $C LPUSH jobs a b c >/dev/null
  $C SAVE; $C BGSAVE; sleep 1
  $C NOSUCHCOMMAND >/dev/null; $C CONFIG SET maxmemory 0 >/dev/null
  $C DEBUG SLEEP 0 >/dev/null
  $C SHUTDOWN; sleep 1
  redis-server $W/redis/redis.conf; sleep 1
  $C DBSIZE >/dev/null; $C SET after restart >/dev/null
  $C SHUTDOWN NOSAVE; sleep 1
}

# ---------------------------------------------------------------- vsftpd
sec_vsftpd() {
  log vsftpd; mkdir -p $W/vsftpd /var/run/vsftpd/empty; rm -f $OUT/vsftpd.log
  cat > $W/vsftpd/vsftpd.conf <<VC
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=2121
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
xferlog_enable=YES
vsftpd_log_file=$OUT/vsftpd.log
secure_chroot_dir=/var/run/vsftpd/empty
pam_service_name=vsftpd
seccomp_sandbox=NO
pasv_min_port=40000
pasv_max_port=40100
VC
  vsftpd $W/vsftpd/vsftpd.conf & local vp=$!; waitport 2121; sleep 0.5
  local F=ftp://127.0.0.1:2121
  echo "ftp upload test" > $W/vsftpd/up.txt
  curl -s -o /dev/null -u llamatest:wrong $F/
  curl -s -o /dev/null -u anonymous:x $F/
  curl -s -o /dev/null -u llamatest:llamapass $F/
  curl -s -o /dev/null -u llamatest:llamapass -T $W/vsftpd/up.txt $F/upload.txt
  curl -s -o /dev/null -u llamatest:llamapass $F/upload.txt
  curl -s -o /dev/null -u llamatest:llamapass $F/missing.txt
  curl -s -o /dev/null -u llamatest:llamapass -Q 'MKD newdir' $F/
  curl -s -o /dev/null -u llamatest:llamapass -Q 'DELE upload.txt' $F/
  curl -s -o /dev/null -u root:toor $F/
  kill $vp; wait $vp 2>/dev/null
}

# ---------------------------------------------------------------- mosquitto
sec_mosquitto() {
  log mosquitto; mkdir -p $W/mosq $OUT/mosquitto; chown mosquitto $OUT/mosquitto $W/mosq; rm -f $OUT/mosquitto/*
  mosquitto_passwd -c -b $W/mosq/passwd app apppass; chown mosquitto $W/mosq/passwd
  cat > $W/mosq/mosquitto.conf <<MC
listener 1884 127.0.0.1
allow_anonymous false
password_file $W/mosq/passwd
log_dest file $OUT/mosquitto/mosquitto.log
log_type all
pid_file $W/mosq/mosquitto.pid
MC
  mosquitto -c $W/mosq/mosquitto.conf & local mp=$!; waitport 1884
  local M="-h 127.0.0.1 -p 1884"
  mosquitto_sub $M -u app -P apppass -t 'sensors/#' -C 2 -i subscriber1 >/dev/null & local sp=$!; sleep 0.5
  mosquitto_pub $M -u app -P apppass -t sensors/temp -m 21.5 -i pub1
  mosquitto_pub $M -u app -P wrong -t sensors/temp -m 0 -i badpass 2>/dev/null
  mosquitto_pub $M -t sensors/temp -m 0 -i anon 2>/dev/null
  mosquitto_pub $M -u app -P apppass -t sensors/hum -m 40 -q 1 -i pub2
  wait $sp
  kill -HUP $mp; sleep 0.5
  mosquitto_pub $M -u app -P apppass -t sensors/temp -m 22 -i pub3
  kill $mp; wait $mp 2>/dev/null
}

# ---------------------------------------------------------------- Exim 4 (unpacked .deb, own config; postfix must be stopped or on port 25 only)
sec_exim() {
  log exim; local E=$W/eximroot/usr/sbin/exim4
  id Debian-exim >/dev/null 2>&1 || useradd --system --user-group --no-create-home -s /usr/sbin/nologin Debian-exim
  rm -rf $W/exim $OUT/exim; mkdir -p $W/exim/spool $W/exim/mail $OUT/exim; chmod 1777 $W/exim/mail
  chown Debian-exim:Debian-exim $W/exim/spool $OUT/exim
  cat > $W/exim/exim.conf <<XC
exim_user = Debian-exim
exim_group = Debian-exim
never_users = root
primary_hostname = llamalog.test
domainlist local_domains = @ : localhost : llamalog.test
local_interfaces = 127.0.0.1
daemon_smtp_ports = 2525
log_file_path = $OUT/exim/%slog
spool_directory = $W/exim/spool
pid_file_path = $W/exim/exim.pid
acl_smtp_rcpt = acl_check_rcpt
begin acl
acl_check_rcpt:
  accept hosts = :
  deny message = relay not permitted
       !domains = +local_domains
  require verify = recipient
  accept
begin routers
localuser:
  driver = accept
  check_local_user
  transport = local_delivery
begin transports
local_delivery:
  driver = appendfile
  file = $W/exim/mail/\${local_part_data}
  delivery_date_add
  envelope_to_add
  return_path_add
begin retry
*  *  F,1h,10m
XC
  mkdir -p /etc/exim4; echo $W/exim/exim.conf > /etc/exim4/trusted_configs
  [ -e /usr/sbin/exim4 ] || ln -s $E /usr/sbin/exim4     # exim re-execs itself by its compiled-in path
  local X="$E -C $W/exim/exim.conf"
  printf 'Subject: hello\n\nlocal delivery\n' | $X -odi llamatest@localhost
  printf 'Subject: bounce\n\nmissing user\n' | $X -odi -f llamatest@llamalog.test nosuchuser@localhost
  printf 'Subject: root\n\nto root\n' | $X -odi root@localhost
  $X -bd -q30s & local xp=$!; waitport 2525; sleep 1
  printf 'Subject: via smtp\n\nhi\n' > $W/exim/msg.txt
  curl -s smtp://127.0.0.1:2525 --mail-from sender@example.test --mail-rcpt llamatest@localhost -T $W/exim/msg.txt
  curl -s smtp://127.0.0.1:2525 --mail-from sender@example.test --mail-rcpt ghost@localhost -T $W/exim/msg.txt
  curl -s smtp://127.0.0.1:2525 --mail-from sender@example.test --mail-rcpt victim@elsewhere.test -T $W/exim/msg.txt
  printf 'EHLO x\r\nDATA\r\nQUIT\r\n' | timeout 5 socat - TCP:127.0.0.1:2525 >/dev/null
  sleep 2; kill $(cat $W/exim/exim.pid 2>/dev/null || echo $xp); wait $xp 2>/dev/null
}

# ---------------------------------------------------------------- Tomcat 10 (Debian tomcat10, own CATALINA_BASE)
sec_tomcat() {
  log tomcat; local B=$W/tomcat
  rm -rf $B; mkdir -p $B/logs $B/temp $B/work $B/webapps; cp -r /etc/tomcat10 $B/conf
  sed -i '0,/<Connector port="8080" protocol="HTTP\/1.1"/s//<Connector address="127.0.0.1" port="8180" protocol="HTTP\/1.1"/' $B/conf/server.xml
  local WX='<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">'
  mkdir -p $B/webapps/hello/WEB-INF $B/webapps/broken/WEB-INF $B/webapps/badclass/WEB-INF
  printf '%s\n</web-app>\n' "$WX" > $B/webapps/hello/WEB-INF/web.xml
  echo '<%@ page contentType="text/plain" %>hello <%= 1/0 %>' > $B/webapps/hello/index.jsp
  echo 'static ok' > $B/webapps/hello/ok.txt
  printf '%s\n<servlet><servlet-name>x</servlet-name>\n</web-app\n' "$WX" > $B/webapps/broken/WEB-INF/web.xml   # malformed XML
  printf '%s\n<servlet><servlet-name>orders</servlet-name><servlet-class>com.example.OrdersServlet</servlet-class><load-on-startup>1</load-on-startup></servlet>\n<servlet-mapping><servlet-name>orders</servlet-name><url-pattern>/orders</url-pattern></servlet-mapping>\n<filter><filter-name>auth</filter-name><filter-class>com.example.AuthFilter</filter-class></filter>\n<filter-mapping><filter-name>auth</filter-name><url-pattern>/*</url-pattern></filter-mapping>\n</web-app>\n' "$WX" > $B/webapps/badclass/WEB-INF/web.xml
  CATALINA_HOME=/usr/share/tomcat10 CATALINA_BASE=$B CATALINA_TMPDIR=$B/temp JAVA_OPTS="-Duser.timezone=UTC -Djava.awt.headless=true" \
    /usr/share/tomcat10/bin/catalina.sh run > $B/console.log 2>&1 & local tp=$!
  waitport 8180; sleep 2
  local U=http://127.0.0.1:8180
  curl -s -o /dev/null $U/hello/ok.txt; curl -s -o /dev/null $U/hello/index.jsp
  curl -s -o /dev/null $U/badclass/orders; curl -s -o /dev/null $U/nosuchapp/
  sleep 1; kill $tp; wait $tp 2>/dev/null; sleep 1
  cp $B/logs/catalina.*.log $OUT/tomcat-catalina.log; cp $B/logs/localhost.*.log $OUT/tomcat-localhost.log
}

# ---------------------------------------------------------------- journald run by hand (no systemd as PID 1)
# systemd-journald creates its own sockets; /dev/log is pointed at its syslog socket so that real sshd and
# sudo log into it. The journal is then printed with journalctl --directory (short-iso, short-iso-precise, json).
sec_journald() {
  log journald
  [ -S /dev/log ] && { log "/dev/log busy (rsyslog running?)"; return 1; }
  mkdir -p /etc/systemd/journald.conf.d /run/systemd/journal /run/sshd
  printf '[Journal]\nStorage=volatile\n' > /etc/systemd/journald.conf.d/llamalog.conf
  rm -rf /run/log/journal $OUT/journal; mkdir -p $OUT/journal
  /lib/systemd/systemd-journald & local jp=$!; sleep 1
  ln -sf /run/systemd/journal/dev-log /dev/log
  /usr/sbin/sshd -p 2222 -o ListenAddress=127.0.0.1 -o PidFile=$W/sshd.pid -o PasswordAuthentication=yes; waitport 2222
  local SSH="ssh -p 2222 -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no -o PreferredAuthentications=password -o NumberOfPasswordPrompts=1 -o LogLevel=ERROR"
  sshpass -p wrong $SSH llamatest@127.0.0.1 true
  sshpass -p guess $SSH oracle@127.0.0.1 true
  sshpass -p llamapass $SSH llamatest@127.0.0.1 true
  echo 'SSH-1.0-bogus' | timeout 3 socat - TCP:127.0.0.1:2222 >/dev/null
  echo 'llamatest ALL=(root) /usr/bin/id' > /etc/sudoers.d/llamatest; chmod 440 /etc/sudoers.d/llamatest
  su - llamatest -c 'echo llamapass | sudo -S -p "" /usr/bin/id' >/dev/null
  su - llamatest -c 'echo nope | sudo -S -p "" /usr/bin/id' >/dev/null 2>&1
  echo "warning from systemd-cat" | systemd-cat -t llamalog-test -p warning
  printf 'stdout line 1\nstdout line 2\n' | systemd-cat -t llamalog-batch
  logger -p user.err -t llamalog-test "logger error line via /dev/log"
  sleep 1
  kill "$(cat $W/sshd.pid)"; rm -f /etc/sudoers.d/llamatest
  sleep 1; kill $jp; wait $jp 2>/dev/null; rm -f /dev/log
  cp /run/log/journal/*/*.journal $OUT/journal/
  journalctl --directory=$OUT/journal -o short-iso > $OUT/journal-short-iso.log
  journalctl --directory=$OUT/journal -o short-iso-precise > $OUT/journal-short-iso-precise.log
  journalctl --directory=$OUT/journal -o json > $OUT/journal.json
  rm -f /etc/systemd/journald.conf.d/llamalog.conf
}

# ---------------------------------------------------------------- dpkg / update-alternatives of this machine's installs
sec_dpkg() { log dpkg; cp /var/log/dpkg.log $OUT/dpkg.log; cp /var/log/alternatives.log $OUT/alternatives.log; }

cut_excerpts() { "$REPO/.venv/bin/python" "$REPO/benchmarks/reallogs/servers_cut.py" "$OUT" "$REPO/datasets/real"; }

SECTIONS="nginx apache haproxy squid lighttpd syslog pg mariadb redis vsftpd mosquitto exim tomcat journald dpkg"
main() {
  [ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
  local todo=("$@"); [ ${#todo[@]} = 0 ] && todo=(install $SECTIONS stopall cut)
  for s in "${todo[@]}"; do
    case $s in
      install) install_pkgs ;;
      stopall) stopall ;;
      cut) cut_excerpts ;;
      *) sec_$s ;;
    esac
  done
}
stopall() { nginx_stop; }   # nginx stays up as the backend of haproxy/squid; everything else stops itself
main "$@"
