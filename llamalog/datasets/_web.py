"""The web-facing synthetic kinds: ``access`` (combined log format) and ``jsonl`` (JSON lines)."""

from __future__ import annotations

import json

from ._kinds import (
    Flow,
    Gen,
    Kind,
    Params,
    Rng,
    T,
    Tpl,
    _dt,
    _hex,
    _int,
    _ip,
    _ms,
    _msec,
    _pick,
    _uuid,
)

# -- access: Apache/nginx "combined" lines; the template is over the request ------------

_OK = ((200, 0.99), (500, 0.01))
_ACC = (
    T("home", "GET / HTTP/1.1", size=(8000, 15000), ref="-"),
    T("js", "GET /static/js/app.{build}.js HTTP/1.1", size=(150000, 400000)),
    T("list", "GET /api/items?page={page}&limit=20 HTTP/1.1", status=_OK, size=(2000, 9000)),
    T(
        "item",
        "GET /api/items/{item} HTTP/1.1",
        status=((200, 0.965), (404, 0.03), (500, 0.005)),
        size=(400, 2500),
    ),
    T("cart", "POST /api/cart/items HTTP/1.1", status=((201, 1),), size=(100, 400)),
    T(
        "order",
        "POST /api/orders HTTP/1.1",
        status=((201, 0.975), (409, 0.02), (503, 0.005)),
        size=(150, 600),
    ),
    T("track", "GET /api/orders/{order} HTTP/1.1", size=(300, 1500)),
    T("loginpage", "GET /login HTTP/1.1", size=(3000, 6000)),
    T("login", "POST /api/session HTTP/1.1", status=((200, 0.9), (401, 0.1)), size=(80, 300)),
    T("profile", "GET /api/users/{uid}/profile HTTP/1.1", size=(300, 1200)),
    T("logout", "DELETE /api/session HTTP/1.1", status=((204, 1),), size=(0, 0)),
    T(
        "health",
        "GET /healthz HTTP/1.1",
        w=4,
        size=(2, 2),
        client="10.0.0.2",
        ref="-",
        ua="kube-probe/1.29",
    ),
    T(
        "metrics",
        "GET /metrics HTTP/1.1",
        w=2,
        size=(20000, 30000),
        client="10.0.0.3",
        ref="-",
        ua="Prometheus/2.51.0",
    ),
    T(
        "robots",
        "GET /robots.txt HTTP/1.1",
        w=0.5,
        size=(68, 68),
        ref="-",
        ua="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    ),
    T(
        "favicon",
        "GET /favicon.ico HTTP/1.1",
        w=1,
        status=((200, 0.7), (304, 0.3)),
        size=(1150, 1150),
    ),
    T(
        "reviews",
        "GET /api/items/{item}/reviews?limit={limit} HTTP/1.1",
        w=2,
        status=_OK,
        size=(500, 6000),
    ),
    T(
        "search",
        "GET /api/search?q={q} HTTP/1.1",
        w=2,
        status=((200, 0.98), (400, 0.02)),
        size=(300, 8000),
    ),
    T(
        "git",
        "GET /.git/{gitfile} HTTP/1.1",
        "WARNING",
        status=((404, 1),),
        size=(150, 200),
        ref="-",
        ua="Mozilla/5.0 zgrab/0.x",
    ),
)
_UAS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "curl/8.5.0",
    "python-requests/2.31.0",
)
_ACC_GENS: dict[str, Gen] = {
    "build": _hex(8),
    "page": _int(1, 20),
    "item": _int(1, 5000),
    "order": _int(10000, 99999),
    "uid": _int(1000, 9999),
    "limit": _pick("10", "20", "50"),
    "gitfile": _pick("config", "HEAD"),
    "q": _pick("shoes", "red+dress", "usb-c+cable", "coffee", "laptop+stand", "headphones"),
    "client": _ip,
    "ua": _pick(*_UAS),
}


def _status_size(rng: Rng, tpl: Tpl) -> tuple[int, int]:
    choices = tpl.fields.get("status", ((200, 1.0),))
    codes = [c for c, _ in choices]
    status = codes[int(rng.choice(len(codes), p=[p for _, p in choices]))]
    lo, hi = tpl.fields["size"]
    if status >= 400:
        lo, hi = 150, 600
    return status, 0 if status in (204, 304) else int(rng.integers(lo, hi + 1))


def _acc_extra(rng: Rng, tpl: Tpl) -> Params:
    status, size = _status_size(rng, tpl)
    ref = tpl.fields.get("ref") or _pick("-", "https://shop.example.com/")(rng)
    return {
        "status": str(status),
        "size": str(size),
        "ref": ref,
        "user": "-",
        "client": tpl.fields.get("client") or _ip(rng),
        "ua": tpl.fields.get("ua") or _ACC_GENS["ua"](rng),
    }


def _acc_spike(rng: Rng) -> Params:
    return {"status": _pick("500", "502", "503")(rng), "size": str(rng.integers(150, 600))}


def _acc_render(ms: int, tpl: Tpl, p: Params) -> tuple[list[str], str]:
    d = _dt(ms)
    when = f"{d:%d}/{d:%b}/{d:%Y:%H:%M:%S} +0000"
    req = tpl.text.format(**p)
    status = int(p["status"])
    level = "ERROR" if status >= 500 else "WARNING" if status >= 400 else "INFO"
    line = f'{p["client"]} - {p["user"]} [{when}] "{req}" {status} {p["size"]} "{p["ref"]}" '
    return [line + f'"{p["ua"]}"'], level


_BROWSE = ("home", "js", "list", "item", "item", "cart", "order", "track")
ACCESS = Kind(
    "access",
    r'<Host> <Ident> <User> \[<Time>\] "<Request>" <Status> <Size> "<Referer>" "<UserAgent>"',
    _ACC,
    (
        Flow("{client}", _BROWSE, ("client", "ua"), 4000, 3),
        Flow("{client}", ("home", "js", "list", "item"), ("client", "ua"), 4000, 4),
        Flow("{client}", ("loginpage", "login", "profile", "logout"), ("client", "ua"), 8000, 2),
    ),
    _ACC_GENS,
    _acc_render,
    _acc_extra,
    0.75,
    1000,
    ("item", "size"),
    ("item", "list", "order"),
    "git",
    mask="slot",
    spike_params=_acc_spike,
)

# -- jsonl: one JSON object per line, request id in "ctx" ------------------------------

_JSON = (
    T("get", "request started: GET /v1/orders/{order}", logger="http"),
    T("post", "request started: POST /v1/checkout", logger="http"),
    T("auth", "token validated for user {user} (scopes: {scopes})", logger="auth"),
    T("cache", "cache {hit} for key order:{order}", "DEBUG", logger="cache"),
    T("query", "query orders.by_id returned {rows} rows in {ms} ms", logger="db"),
    T("reserve", "inventory reserved: {items} items in {wh}", logger="inventory"),
    T("capture", "payment {payid} captured: {amount} {currency}", logger="payments"),
    T("done", "request finished: status={status} duration_ms={dur}", logger="http"),
    T("health", "health check ok", "DEBUG", w=3, logger="http"),
    T(
        "pool",
        "connection pool stats: active={active} idle={idle} waiting={wait}",
        "DEBUG",
        w=2,
        logger="db",
    ),
    T("job", "job {job} completed in {ms} ms", w=1, logger="scheduler"),
    T("consume", "consumed {n} messages from queue {queue} (lag {lag})", w=2, logger="worker"),
    T(
        "dlq",
        "message {msgid} moved to dead-letter queue after {attempts} attempts",
        "WARNING",
        w=0.3,
        logger="worker",
    ),
    T("qfail", "query orders.by_id failed: timeout after {tmo} ms", "ERROR", w=0.25, logger="db"),
    T("upstream", "upstream {svc} returned status {code}", "ERROR", w=0.25, logger="http"),
    T(
        "flag",
        "feature flag {flag} evaluation failed: unknown variant {variant}",
        "ERROR",
        logger="flags",
    ),
)
_JSON_GENS: dict[str, Gen] = {
    "order": _int(10000, 99999),
    "user": lambda rng: f"u-{rng.integers(1000, 9999)}",
    "scopes": _pick("read", "read,write", "read,write,admin"),
    "hit": _pick("hit", "miss"),
    "rows": _int(0, 3),
    "ms": _ms,
    "items": _int(1, 9),
    "wh": _pick("wh-1", "wh-2", "wh-3"),
    "payid": lambda rng: "pay_" + _hex(12)(rng),
    "amount": lambda r: f"{r.uniform(5, 400):.2f}",
    "currency": _pick("EUR", "USD"),
    "status": _pick("200", "200", "200", "201", "404"),
    "dur": _ms,
    "active": _int(0, 10),
    "idle": _int(0, 10),
    "wait": _int(0, 2),
    "job": _pick("purge-carts", "rebuild-search-index", "send-digests"),
    "n": _int(1, 500),
    "queue": _pick("orders", "emails", "webhooks"),
    "lag": _int(0, 40),
    "msgid": _uuid,
    "attempts": _int(3, 5),
    "tmo": _pick("2000", "5000"),
    "code": _pick("502", "503", "504"),
    "svc": _pick("payments", "inventory", "shipping"),
    "rid": _uuid,
    "flag": _pick("new-checkout", "fast-search"),
    "variant": _pick("v3", "treatment-b"),
}
_JSON_LEVEL = {"DEBUG": "debug", "INFO": "info", "WARNING": "warn", "ERROR": "error"}


def _json_render(ms: int, tpl: Tpl, p: Params) -> tuple[list[str], str]:
    d = _dt(ms)
    record = {
        "time": f"{d:%Y-%m-%dT%H:%M:%S}.{_msec(d)}Z",
        "level": _JSON_LEVEL[tpl.level],
        "logger": tpl.fields["logger"],
        "msg": tpl.text.format(**p),
        "ctx": {"request_id": p["rid"]} if "rid" in p else {},
    }
    return [json.dumps(record)], tpl.level


_REQ = ("rid", "user", "order")
JSONL = Kind(
    "jsonl",
    "jsonl",
    _JSON,
    (
        Flow("{rid}", ("get", "auth", "cache", "query", "done"), _REQ, 800, 4),
        Flow("{rid}", ("post", "auth", "reserve", "capture", "done"), _REQ, 1200, 2),
    ),
    _JSON_GENS,
    _json_render,
    lambda rng, tpl: {},
    0.7,
    1,
    ("query", "ms"),
    ("qfail", "upstream"),
    "flag",
)
