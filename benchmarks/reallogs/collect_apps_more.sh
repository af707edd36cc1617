# Sourced by collect_apps.sh: Node, Go, Caddy and Java steps.
step_node() {
  for m in pino winston bunyan morgan; do
    rm -f "$OUT/node-$m.log"
    TZ=UTC NODE_PATH="$OUT/node/node_modules" node "$APPS/node_app.js" $m "$OUT/node-$m.log"
  done
}

step_go() {
  # Debian 12 has Go 1.19 (no log/slog): golang.org/x/exp/slog, klog v2, zap, logrus come from
  # Debian's golang-*-dev source packages, built in GOPATH mode.
  mkdir -p "$OUT/gopath/src"; ln -sfn "$APPS/golog" "$OUT/gopath/src/golog"
  (cd "$OUT/gopath/src/golog" && GO111MODULE=off GOPATH=$OUT/gopath:/usr/share/gocode \
     GOCACHE=$OUT/gocache go build -o "$OUT/golog-bin" .) || return
  for m in slog-text slog-json log zap; do
    rm -f "$OUT/go-$m.log"; TZ=UTC "$OUT/golog-bin" $m "$OUT/go-$m.log"
  done
  rm -f "$OUT/go-slog-text-tz.log"; TZ=Europe/Berlin "$OUT/golog-bin" slog-text "$OUT/go-slog-text-tz.log"
  TZ=UTC "$OUT/golog-bin" klog - 2> "$OUT/go-klog.log"
  rm -f "$OUT"/go-logrus*.log
  TZ=UTC "$OUT/golog-bin" logrus "$OUT/go-logrus.log"
  TZ=Europe/Berlin "$OUT/golog-bin" logrus "$OUT/go-logrus-tz.log"
  TZ=UTC "$OUT/golog-bin" logrus-json "$OUT/go-logrus-json.log"
}

step_caddy() {
  local d=$OUT/caddy
  rm -rf "$d"; mkdir -p "$d/site"; echo '<h1>shop</h1>' > "$d/site/index.html"
  export CADDY_DIR=$d
  HOME=$d XDG_DATA_HOME=$d/data XDG_CONFIG_HOME=$d/cfg TZ=UTC \
    caddy run --config "$APPS/Caddyfile" --adapter caddyfile > "$d/stdout" 2>&1 &
  local pid=$!; waitport 18310
  for p in / /missing /api/orders /index.html /api/x /.env /; do hit 18310 $p; done
  curl -s -o /dev/null -X POST -d x=1 http://127.0.0.1:18310/index.html
  HOME=$d caddy reload --config "$APPS/Caddyfile" --adapter caddyfile --address 127.0.0.1:18390 >/dev/null 2>&1
  for p in / /favicon.ico /api/health / /shop/cart /index.html /api/orders/7 / /admin / /login.php /api/status /; do hit 18310 $p; done
  HOME=$d caddy stop --address 127.0.0.1:18390 >/dev/null 2>&1; sleep 1; kill $pid 2>/dev/null; wait $pid
  cp "$d/caddy.log" "$OUT/caddy.log"; cp "$d/caddy-access.log" "$OUT/caddy-access.log"
}

step_java() {
  local J=/usr/share/java C=$OUT/java-classes
  mkdir -p "$C"
  javac -d "$C" -cp "$J/slf4j-api.jar:$J/log4j-api.jar" "$APPS/java/ShopApp.java" || return
  rm -f "$OUT/java-logback.log" "$OUT/java-log4j.log"
  TZ=UTC java -cp "$C:$J/slf4j-api.jar:$J/logback-classic.jar:$J/logback-core.jar" \
    -Dlogback.configurationFile="$APPS/java/logback.xml" -Dlogfile="$OUT/java-logback.log" ShopApp logback
  TZ=UTC java -cp "$C:$J/log4j-api.jar:$J/log4j-core.jar" \
    -Dlog4j2.configurationFile="$APPS/java/log4j2.xml" -Dlogfile="$OUT/java-log4j.log" ShopApp log4j
}
