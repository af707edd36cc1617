"""Building blocks of the synthetic log kinds, and the ``app`` kind (a Java service).

Each :class:`Kind` describes one log family for :func:`llamalog.datasets.synthetic`:
its templates (message text with ``{slot}`` placeholders), the session flows that
chain them, how a slot value is drawn and how one record becomes text.
"""

from __future__ import annotations

import re
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

Rng = np.random.Generator
Gen = Callable[[Rng], str]
Params = dict[str, str]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_JAVA_LEVEL = {"DEBUG": "DEBUG", "INFO": "INFO", "WARNING": "WARN", "ERROR": "ERROR"}


@dataclass(frozen=True)
class Tpl:
    """One template: ``text`` has a ``{slot}`` per variable; ``weight`` > 0 makes it background."""

    key: str
    text: str
    level: str = "INFO"
    weight: float = 0.0
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def slots(self) -> tuple[str, ...]:
        """Slot names of ``text`` in order of first use."""
        names = [name for _, name, _, _ in string.Formatter().parse(self.text) if name]
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class Flow:
    """A session: ``steps`` (template keys) share the values of ``slots``; ``key`` names it."""

    key: str
    steps: tuple[str, ...]
    slots: tuple[str, ...]
    gap_ms: float
    weight: float = 1.0


@dataclass(frozen=True)
class Kind:
    """Everything the generator needs to know about one log family."""

    name: str
    format: str
    templates: tuple[Tpl, ...]
    flows: tuple[Flow, ...]
    gens: dict[str, Gen]
    render: Callable[[int, Tpl, Params], tuple[list[str], str]]
    extra: Callable[[Rng, Tpl], Params]
    share: float  # fraction of the records that belong to sessions
    resolution_ms: int  # timestamp resolution of the text
    oor: tuple[str, str]  # (template key, numeric slot) scaled by out_of_range_param
    spike: tuple[str, ...]  # templates that error_spike repeats
    new: str  # template kept back for new_template
    mask: str = "token"  # "token": a token holding a variable becomes <*>; "slot": the variable
    spike_params: Callable[[Rng], Params] | None = None


def template_text(tpl: Tpl, mask: str) -> str:
    """The Loghub-style template of ``tpl``: each variable (or its whole token) becomes ``<*>``."""
    if mask == "slot":
        return re.sub(r"\{[^{}]*\}", "<*>", tpl.text)
    return " ".join("<*>" if "{" in tok else tok for tok in tpl.text.split(" "))


def T(key: str, text: str, level: str = "INFO", w: float = 0.0, **fields: Any) -> Tpl:
    """Shorthand constructor of :class:`Tpl`."""
    return Tpl(key, text, level, w, fields)


# -- parameter generators ---------------------------------------------------------------


def _pick(*items: str) -> Gen:
    return lambda rng: items[int(rng.integers(len(items)))]


def _int(lo: int, hi: int) -> Gen:
    return lambda rng: str(int(rng.integers(lo, hi + 1)))


def _hex(n: int) -> Gen:
    return lambda rng: rng.bytes((n + 1) // 2).hex()[:n]


def _ip(rng: Rng) -> str:
    return f"10.{rng.integers(0, 8)}.{rng.integers(0, 256)}.{rng.integers(2, 255)}"


def _port(rng: Rng) -> str:
    return str(int(rng.integers(32768, 61000)))


def _ms(rng: Rng) -> str:
    return str(1 + int(rng.lognormal(3.3, 0.5)))


def _uuid(rng: Rng) -> str:
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def _dt(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)


def _msec(d: datetime) -> str:
    return f"{d.microsecond // 1000:03d}"


# -- app: a Java service (log4j layout, stack traces) ----------------------------------

_OS, _INV, _PAY = (
    "com.example.OrderService",
    "com.example.InventoryService",
    "com.example.PayService",
)
_SM, _RL = "com.example.auth.SessionManager", "com.example.http.RequestLogger"
_JR = "com.example.scheduler.JobRunner"
_APP = (
    T("recv", "Received order {order} from user {user} with {items} items", comp=_OS),
    T("stock", "Reserved {items} items for order {order} in warehouse {wh}", comp=_INV),
    T("pay", "Payment {payid} authorized for order {order}: {amount} EUR", comp=_PAY),
    T("accept", "Order {order} accepted for user {user} in {ms} ms", comp=_OS),
    T(
        "ship",
        "Shipment {tracking} scheduled for order {order} via {carrier}",
        comp="com.example.ShippingService",
    ),
    T(
        "nostock",
        "Insufficient stock for order {order}: sku {sku} requested {qty} available 0",
        "WARNING",
        comp=_INV,
    ),
    T("reject", "Order {order} rejected: out of stock", comp=_OS),
    T("login", "User {user} logged in from {ipport} (session {sid})", comp=_SM),
    T("refresh", "Session {sid} refreshed, expires in {ttl} s", "DEBUG", comp=_SM),
    T("logout", "User {user} logged out after {dur} s (session {sid})", comp=_SM),
    T(
        "http",
        "GET {path} completed with status {status} in {ms} ms",
        w=12,
        comp=_RL,
        thread="http",
    ),
    T(
        "pool",
        "HikariPool-1 - Pool stats (total=10, active={active}, idle={idle}, waiting={wait})",
        "DEBUG",
        w=4,
        comp="com.zaxxer.hikari.pool.HikariPool",
        thread="HikariPool-1 housekeeper",
    ),
    T(
        "cache",
        "Cache {cache} hit ratio {ratio} over last {n} requests",
        "DEBUG",
        w=3,
        comp="com.example.cache.CacheManager",
        thread="cache-stats-1",
    ),
    T("jobstart", "Job {job} started with run id {uuid}", w=1, comp=_JR, thread="scheduling-1"),
    T(
        "jobdone",
        "Job {job} finished in {ms} ms, processed {n} records",
        w=1,
        comp=_JR,
        thread="scheduling-1",
    ),
    T(
        "gc",
        "GC pause of {pause} ms exceeded threshold of 200 ms",
        "WARNING",
        w=0.6,
        comp="com.example.monitor.JvmMonitor",
        thread="jvm-monitor",
    ),
    T(
        "slow",
        "Slow request {reqid} took {slowms} ms (threshold 500 ms)",
        "WARNING",
        w=0.6,
        comp=_RL,
        thread="http",
    ),
    T(
        "payfail",
        "Payment failed for order {order}: gateway timeout after {ms} ms",
        "ERROR",
        w=0.25,
        comp=_PAY,
        trace="timeout",
    ),
    T(
        "dbfail",
        "Could not load order {order} from database after {ms} ms",
        "ERROR",
        w=0.2,
        comp="com.example.db.OrderRepository",
        trace="pool",
    ),
    T(
        "npe",
        "Unhandled exception while processing request {reqid}",
        "ERROR",
        w=0.15,
        comp="com.example.http.OrderController",
        thread="http",
        trace="npe",
    ),
    T(
        "breaker",
        "Circuit breaker {breaker} opened after {fails} consecutive failures",
        "WARNING",
        comp="com.example.resilience.CircuitBreaker",
    ),
)
_RUN = "\tat java.base/java.lang.Thread.run(Thread.java:840)"
_TRACES = {
    "timeout": (
        "java.lang.IllegalStateException: Payment gateway did not answer within {ms} ms",
        "\tat com.example.payment.GatewayClient.charge(GatewayClient.java:142)",
        "\tat com.example.PayService.authorize(PayService.java:88)",
        "\tat com.example.OrderService.place(OrderService.java:57)",
        "\tat java.base/java.util.concurrent.ThreadPoolExecutor"
        ".runWorker(ThreadPoolExecutor.java:1136)",
        _RUN,
        "Caused by: java.net.SocketTimeoutException: Read timed out",
        "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)",
        "\tat java.base/java.net.Socket$SocketInputStream.read(Socket.java:1099)",
        "\t... 5 more",
    ),
    "pool": (
        "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, "
        "request timed out after {ms}ms.",
        "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)",
        "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:181)",
        "\tat com.example.db.OrderRepository.findById(OrderRepository.java:41)",
        "\tat com.example.OrderService.load(OrderService.java:112)",
        _RUN,
    ),
    "npe": (
        'java.lang.NullPointerException: Cannot invoke "com.example.model.Customer.getAddress()" '
        'because "customer" is null',
        "\tat com.example.ShippingService.label(ShippingService.java:73)",
        "\tat com.example.OrderService.ship(OrderService.java:131)",
        "\tat com.example.http.OrderController.ship(OrderController.java:58)",
        _RUN,
    ),
}


def _app_path(rng: Rng) -> str:
    n = int(rng.integers(1, 5000))
    return ("/api/items/", "/api/orders/", "/api/users/u-", "/api/cart/")[n % 4] + str(n)


_APP_GENS: dict[str, Gen] = {
    "order": _int(100000, 999999),
    "user": lambda rng: f"u-{rng.integers(1000, 9999)}",
    "items": _int(1, 9),
    "wh": _pick("wh-1", "wh-2", "wh-3", "wh-4"),
    "payid": lambda rng: "pay_" + _hex(12)(rng),
    "amount": lambda r: f"{r.uniform(5, 400):.2f}",
    "ms": _ms,
    "tracking": lambda rng: "1Z" + _hex(16)(rng).upper(),
    "carrier": _pick("DHL", "UPS", "FedEx", "GLS"),
    "sku": _int(100000, 999999),
    "qty": _int(2, 9),
    "ipport": lambda rng: f"{_ip(rng)}:{_port(rng)}",
    "sid": _hex(16),
    "ttl": _pick("900", "1800", "3600"),
    "dur": _int(30, 3600),
    "path": _app_path,
    "status": _pick(*["200"] * 8, "201", "304", "404"),
    "active": _int(0, 10),
    "idle": _int(0, 10),
    "wait": _int(0, 2),
    "cache": _pick("orders", "items", "users"),
    "ratio": lambda rng: f"{rng.uniform(0.6, 0.99):.3f}",
    "n": _int(100, 5000),
    "job": _pick("reindex-items", "cleanup-sessions", "export-orders", "sync-inventory"),
    "uuid": _uuid,
    "pause": _int(210, 900),
    "slowms": _int(500, 4000),
    "reqid": lambda rng: "req-" + _hex(12)(rng),
    "fails": _int(5, 20),
    "breaker": _pick("payment-gateway", "inventory-api", "shipping-api"),
    "thread": lambda rng: f"worker-{rng.integers(1, 17)}",
}


def _app_extra(rng: Rng, tpl: Tpl) -> Params:
    thread = tpl.fields.get("thread", "worker")
    if thread == "worker":
        thread = f"worker-{rng.integers(1, 17)}"
    elif thread == "http":
        thread = f"http-nio-8080-exec-{rng.integers(1, 11)}"
    return {"thread": thread}


def _app_render(ms: int, tpl: Tpl, p: Params) -> tuple[list[str], str]:
    d = _dt(ms)
    level = _JAVA_LEVEL[tpl.level]
    head = f"{d:%Y-%m-%d %H:%M:%S},{_msec(d)} {level} [{p['thread']}] {tpl.fields['comp']}: "
    lines = [head + tpl.text.format(**p)]
    lines += [line.format(**p) for line in _TRACES.get(tpl.fields.get("trace", ""), ())]
    return lines, tpl.level


_ORDER = ("order", "user", "thread", "items")
APP = Kind(
    "app",
    r"<Date> <Time> <Level> \[<Thread>\] <Component>: <Content>",
    _APP,
    (
        Flow("{order}", ("recv", "stock", "pay", "accept", "ship"), _ORDER, 150, 6),
        Flow("{order}", ("recv", "nostock", "reject"), _ORDER, 80, 1),
        Flow(
            "{sid}", ("login", "refresh", "refresh", "logout"), ("user", "sid", "thread"), 60_000, 2
        ),
    ),
    _APP_GENS,
    _app_render,
    _app_extra,
    0.6,
    1,
    ("accept", "ms"),
    ("payfail", "dbfail", "npe"),
    "breaker",
)
