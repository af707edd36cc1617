"""The server-side synthetic kinds: ``hdfs`` (block sessions) and ``syslog`` (RFC 3164)."""

from __future__ import annotations

import base64

from ._kinds import (
    _JAVA_LEVEL,
    _MONTHS,
    Flow,
    Gen,
    Kind,
    Params,
    Rng,
    T,
    Tpl,
    _dt,
    _int,
    _ip,
    _ms,
    _pick,
    _port,
)

# -- hdfs: block sessions in the HDFS DataNode/NameNode layout --------------------------

_FSN, _PR = "dfs.FSNamesystem", "dfs.DataNode$PacketResponder"
_HDFS = (
    T("alloc", "BLOCK* NameSystem.allocateBlock: {path} {blk}", comp=_FSN),
    T("recv", "Receiving block {blk} src: /{src} dest: /{node}", comp="dfs.DataNode$DataXceiver"),
    T("recvd", "Received block {blk} of size {size} from /{ip}", comp=_PR),
    T("term", "PacketResponder {n} for block {blk} terminating", comp=_PR),
    T(
        "stored",
        "BLOCK* NameSystem.addStoredBlock: blockMap updated: {node} is added to {blk} size {size}",
        comp=_FSN,
    ),
    T("verify", "Verification succeeded for {blk}", comp="dfs.DataBlockScanner"),
    T("served", "{node} Served block {blk} to /{ip}", comp="dfs.DataNode"),
    T("invalid", "BLOCK* NameSystem.delete: {blk} is added to invalidSet of {node}", comp=_FSN),
    T(
        "deleting",
        "Deleting block {blk} file /mnt/hadoop/dfs/data/current/subdir{sub}/{blk}",
        comp="dfs.FSDataset",
    ),
    T(
        "txn",
        "Number of transactions: {txn} Total time for transactions(ms): {txms} Number of "
        "transactions batched in Syncs: {batched} Number of syncs: {syncs} SyncTimes(ms): {synct}",
        w=2,
        comp=_FSN,
    ),
    T(
        "report",
        "BLOCK* NameSystem.processReport: from {node}, blocks: {blocks}, processing "
        "time: {ms} msecs",
        w=2,
        comp=_FSN,
    ),
    T("roll", "Roll Edit Log from {ip}", w=0.6, comp=_FSN),
    T(
        "reset",
        "{node}:DataXceiver: java.io.IOException: Connection reset by peer",
        "WARNING",
        w=0.3,
        comp="dfs.DataNode",
    ),
    T(
        "timeout",
        "{node}:DataXceiver: java.net.SocketTimeoutException: {tmo} millis timeout "
        "while waiting for channel to be ready for write",
        "WARNING",
        w=0.2,
        comp="dfs.DataNode",
    ),
    T(
        "release",
        "BLOCK* NameSystem.internalReleaseCreate: attempt to release a create lock on "
        "{path} file does not exist",
        "WARNING",
        comp=_FSN,
    ),
)


def _hdfs_path(rng: Rng) -> str:
    task = int(rng.integers(0, 2000))
    return f"/user/root/sort/_temporary/_task_202603010800_0001_m_{task:06d}_0/part-{task:05d}."


_HDFS_GENS: dict[str, Gen] = {
    "path": _hdfs_path,
    "blk": lambda rng: f"blk_{rng.integers(-(2**62), 2**62)}",
    "src": lambda rng: f"{_ip(rng)}:{_port(rng)}",
    "node": lambda rng: f"{_ip(rng)}:50010",
    "ip": _ip,
    "n": _int(0, 2),
    "sub": _int(0, 63),
    "txn": _int(1, 500),
    "txms": _int(0, 50),
    "size": lambda rng: "67108864" if rng.random() < 0.8 else str(rng.integers(10**6, 2**26)),
    "batched": _int(0, 10),
    "syncs": _int(1, 300),
    "synct": _int(10, 2000),
    "ms": _ms,
    "blocks": _int(200, 9000),
    "tmo": _pick("480000", "60000"),
}


def _hdfs_render(ms: int, tpl: Tpl, p: Params) -> tuple[list[str], str]:
    d = _dt(ms)
    head = f"{d:%y%m%d %H%M%S} {p['pid']} {_JAVA_LEVEL[tpl.level]} {tpl.fields['comp']}: "
    return [head + tpl.text.format(**p)], tpl.level


_WRITE = ("alloc", "recv", "recv", "recv", *("recvd", "term") * 3, "stored", "stored", "stored")
_BLOCK = ("blk", "size", "path")
HDFS = Kind(
    "hdfs",
    "<Date> <Time> <Pid> <Level> <Component>: <Content>",
    _HDFS,
    (
        Flow("{blk}", _WRITE, _BLOCK, 3000, 5),
        Flow("{blk}", (*_WRITE, "verify"), _BLOCK, 3000, 2),
        Flow("{blk}", (*_WRITE, "served", "served"), _BLOCK, 3000, 1),
        Flow(
            "{blk}", (*_WRITE, "invalid", "invalid", "invalid", *("deleting",) * 3), _BLOCK, 3000, 1
        ),
    ),
    _HDFS_GENS,
    _hdfs_render,
    lambda rng, tpl: {"pid": str(rng.integers(10, 300))},
    0.9,
    1000,
    ("report", "ms"),
    ("reset", "timeout"),
    "release",
)

# -- syslog: RFC 3164 lines (sshd, cron, systemd, postfix, ntpd, dhclient) ---------------

_SYS = (
    T("acc_pw", "Accepted password for {user} from {ip} port {port} ssh2", comp="sshd"),
    T(
        "acc_key",
        "Accepted publickey for {user} from {ip} port {port} ssh2: ED25519 SHA256:{fp}",
        comp="sshd",
    ),
    T(
        "open",
        "pam_unix(sshd:session): session opened for user {user}(uid={uid}) by (uid=0)",
        comp="sshd",
    ),
    T("rdisc", "Received disconnect from {ip} port {port}:11: disconnected by user", comp="sshd"),
    T("disc", "Disconnected from user {user} {ip} port {port}", comp="sshd"),
    T("close", "pam_unix(sshd:session): session closed for user {user}", comp="sshd"),
    T("invalid", "Invalid user {bad} from {ip} port {port}", "WARNING", comp="sshd"),
    T(
        "failinv",
        "Failed password for invalid user {bad} from {ip} port {port} ssh2",
        "WARNING",
        comp="sshd",
    ),
    T(
        "closedinv",
        "Connection closed by invalid user {bad} {ip} port {port} [preauth]",
        comp="sshd",
    ),
    T(
        "cron_open",
        "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
        comp="CRON",
    ),
    T("cron_cmd", "(root) CMD (cd / && run-parts --report /etc/cron.hourly)", comp="CRON"),
    T("cron_close", "pam_unix(cron:session): session closed for user root", comp="CRON"),
    T("started", "Started Session {n} of User {user}.", w=1, comp="systemd", pid="1"),
    T("unit_ok", "{unit}: Deactivated successfully.", w=1.5, comp="systemd", pid="1"),
    T("smtp_conn", "connect from {rhost}[{ip}]", w=1.5, comp="postfix/smtpd"),
    T(
        "smtp_disc",
        "disconnect from {rhost}[{ip}] ehlo=1 mail=1 rcpt={rcpt}/1 data={rcpt}/1 "
        "quit=1 commands={cmds}/5",
        w=1.5,
        comp="postfix/smtpd",
    ),
    T("ntp", "adjusting local clock by {offset}s", w=1, comp="ntpd"),
    T("dhcp", "DHCPACK of {ip} from 10.0.0.1", w=1, comp="dhclient"),
    T("bound", "bound to {ip} -- renewal in {renew} seconds.", w=1, comp="dhclient"),
    T(
        "failroot",
        "Failed password for root from {ip} port {port} ssh2",
        "WARNING",
        w=0.4,
        comp="sshd",
    ),
    T(
        "maxauth",
        "error: maximum authentication attempts exceeded for root from {ip} port {port} "
        "ssh2 [preauth]",
        "ERROR",
        w=0.2,
        comp="sshd",
    ),
    T(
        "badproto",
        "Bad protocol version identification '{junk}' from {ip} port {port}",
        "WARNING",
        comp="sshd",
    ),
)
_SYS_GENS: dict[str, Gen] = {
    "user": _pick("alice", "bob", "carol", "dave", "erin", "deploy", "backup"),
    "bad": _pick("admin", "test", "oracle", "ubuntu", "pi", "guest", "support", "ftpuser"),
    "ip": _ip,
    "port": _port,
    "uid": _int(1000, 1010),
    "n": _int(1, 900),
    "fp": lambda rng: base64.b64encode(rng.bytes(32)).decode().rstrip("="),
    "host": _pick("host1", "host2", "host3", "host4"),
    "pid": _int(300, 65000),
    "unit": _pick("logrotate.service", "man-db.service", "apt-daily.service", "fstrim.service"),
    "rhost": _pick("unknown", "mail.example.org", "mx1.example.net"),
    "rcpt": _pick("0", "1"),
    "cmds": _int(3, 5),
    "offset": lambda rng: f"{rng.normal(0, 0.02):.6f}",
    "renew": _int(1200, 43200),
    "junk": _pick("MGLNDD_10.0.0.9_22", "SSH-1.5-NmapNSE_1.0"),
}


def _sys_extra(rng: Rng, tpl: Tpl) -> Params:
    return {"host": _SYS_GENS["host"](rng), "pid": tpl.fields.get("pid") or _port(rng)}


def _sys_render(ms: int, tpl: Tpl, p: Params) -> tuple[list[str], str]:
    d = _dt(ms)
    head = f"{_MONTHS[d.month - 1]} {d.day:>2} {d:%H:%M:%S} {p['host']} {tpl.fields['comp']}"
    return [f"{head}[{p['pid']}]: {tpl.text.format(**p)}"], tpl.level


_SSH = ("host", "pid", "user", "ip", "port", "uid", "fp")
_SSH_END = ("open", "rdisc", "disc", "close")
SYSLOG = Kind(
    "syslog",
    r"<Month> <Day> <Time> <Host> <Component>\[<Pid>\]: <Content>",
    _SYS,
    (
        Flow("{host}:{pid}", ("acc_pw", *_SSH_END), _SSH, 60_000, 3),
        Flow("{host}:{pid}", ("acc_key", *_SSH_END), _SSH, 60_000, 2),
        Flow(
            "{host}:{pid}",
            ("invalid", "failinv", "closedinv"),
            ("host", "pid", "bad", "ip", "port"),
            2000,
            2,
        ),
        Flow("{host}:{pid}", ("cron_open", "cron_cmd", "cron_close"), ("host", "pid"), 300, 3),
    ),
    _SYS_GENS,
    _sys_render,
    _sys_extra,
    0.55,
    1000,
    ("ntp", "offset"),
    ("failroot", "maxauth"),
    "badproto",
)
