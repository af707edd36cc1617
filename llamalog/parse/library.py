"""The built-in format library: the layouts of the software people run.

Order matters only among formats that parse a line equally well: detection then
prefers the format that parses fewer of the other formats' samples (the more specific
one), and a format whose *signature* is in the sample over one without. Each format's
samples are lines as its program writes them; ``tests/test_formats.py`` checks that every
sample parses and that detection picks its format for it.
"""

from __future__ import annotations

from .presets import JSONL, Also, Preset

_ISO = "%Y-%m-%dT%H:%M:%S%.f%z"

#: Numeric HTTP status -> level; used for access logs.
_STATUS = "status"

BUILTIN: tuple[Preset, ...] = (
    # ------------------------------------------------------------------ syslog family
    Preset(
        "syslog-rfc5424",
        r"<<Pri:\d+>><Version:\d+> <Timestamp> <Host> <App> <ProcId> <MsgId> "
        r"(-|\[<StructuredData>\])( <Content>)?",
        "syslog, RFC 5424",
        programs="rsyslog (RSYSLOG_SyslogProtocol23Format), syslog-ng, systemd",
        multiline=False,
        time_format=_ISO,
        level_rule="pri",
        level="Pri",
        samples=(
            "<34>1 2003-10-11T22:14:15.003Z host su - ID47 - 'su root' failed",
            "<86>1 2026-12-07T22:16:21.341234+00:00 web sshd 1234 - - Accepted password for bob",
        ),
    ),
    Preset(
        "syslog",
        r"(<<Pri:\d+>>)?<Month:[A-Z][a-z][a-z]> <Day:\d+> <Time> <Host:[^:\s]+> "
        r"<Component>(\[<Pid>\])?: <Content>",
        "syslog, RFC 3164 (BSD), as rsyslog writes files by default; the year is inferred",
        programs="rsyslog, syslog-ng, sysklogd: sshd, sudo, cron, postfix, kernel...",
        multiline=False,
        time_format="%b %d %H:%M:%S",
        samples=(
            "Mar  1 08:00:00 host1 sshd[1234]: Accepted password for alice",
            "Dec  7 22:16:21 web postfix/smtp[812]: warning: connect to 127.0.0.1: refused",
            "Dec 17 06:25:01 web CRON[4412]: (root) CMD (test -x /usr/sbin/anacron)",
        ),
    ),
    Preset(
        "syslog-iso",
        r"<Timestamp:\d\d\d\d-\d\d-\d\dT[^ ]+> <Host> <Component>(\[<Pid>\])?: <Content>",
        "syslog with an ISO 8601 timestamp (high precision)",
        programs="rsyslog (RSYSLOG_FileFormat), journalctl -o short-iso / short-iso-precise",
        multiline=False,
        time_format=_ISO,
        samples=(
            "2026-12-07T22:16:21.341234+00:00 web sshd[1234]: Failed password for bob",
            "2026-12-07T22:16:21+0000 web systemd[1]: Started cron.service.",
        ),
    ),
    # ------------------------------------------------------------------ web servers
    Preset(
        "apache-combined",
        r'<Host> <Ident> <User> \[<Time>\] "<Request>" <Status> <Size> '
        r'"<Referer>" "<UserAgent>"',
        "Apache/nginx combined access log",
        programs="nginx, Apache httpd, Varnish, HAProxy (option httplog clf), morgan",
        message="Request",
        multiline=False,
        time_format="%d/%b/%Y:%H:%M:%S %z",
        level="Status",
        level_rule=_STATUS,
        samples=(
            '10.0.0.1 - - [01/Mar/2026:08:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "curl"',
            '127.0.0.1 - bob [07/Dec/2026:22:16:21 +0100] "POST /login HTTP/1.1" 401 0 '
            '"http://x/" "Mozilla/5.0 (X11; Linux x86_64)"',
        ),
    ),
    Preset(
        "apache-common",
        r'<Host> <Ident> <User> \[<Time>\] "<Request>" <Status> <Size:\d+|->',
        "Apache/nginx common access log",
        programs="Apache httpd (common), nginx with a common log_format",
        message="Request",
        multiline=False,
        time_format="%d/%b/%Y:%H:%M:%S %z",
        level="Status",
        level_rule=_STATUS,
        samples=('10.0.0.1 - - [01/Mar/2026:08:00:00 +0000] "GET / HTTP/1.1" 200 512',),
    ),
    Preset(
        "werkzeug",
        r'<Host> - - \[<Time>\] "<Request>" <Status:\d+> <Size:\d+|->',
        "Werkzeug/Flask development server requests",
        programs="werkzeug (Flask), Python http.server",
        message="Request",
        time_format="%d/%b/%Y %H:%M:%S",
        level="Status",
        level_rule=_STATUS,
        samples=('127.0.0.1 - - [07/Dec/2026 22:16:21] "GET /missing HTTP/1.1" 404 -',),
        also=(
            Also(  # Flask's app logger, in the same file
                r"\[<Asctime:\d\d\d\d-\d\d-\d\d \d\d:\d\d:\d\d,\d+>\] <Level:[A-Z]+> "
                r"in <Module>: <Content>",
                time_fields=("Asctime",),
                time_format="%Y-%m-%d %H:%M:%S,%f",
                level="Level",
                message="Content",
                samples=("[2026-12-08 00:06:34,291] ERROR in app: Exception on /orders/7 [GET]",),
            ),
        ),
    ),
    Preset(
        "apache-error",
        r"\[<Time>\] \[(<Module:[a-z_0-9]*>:)?<Level:[a-z]+[0-9]?>\]"
        r"( \[pid <Pid:\d+>(:tid <Tid:\d+>)?\])?( \[client <Client>\])? <Content>",
        "Apache error log (2.2 and 2.4)",
        programs="Apache httpd",
        time_format="%a %b %d %H:%M:%S%.f %Y",
        samples=(
            "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok",
            "[Mon Dec 07 22:16:21.341234 2026] [core:error] [pid 1234:tid 5678] "
            "[client 127.0.0.1:5555] AH00126: Invalid URI in request GET /%00 HTTP/1.1",
            "[Mon Dec 07 22:16:20.000001 2026] [mpm_event:notice] [pid 99:tid 7] AH00489: "
            "Apache/2.4.62 (Debian) configured -- resuming normal operations",
        ),
    ),
    Preset(
        "nginx-error",
        r"<Date:\d\d\d\d/\d\d/\d\d> <Time> \[<Level:[a-z]+>\] <Pid:\d+>#<Tid:\d+>: "
        r"(\*<Connection:\d+> )?<Content>",
        "nginx error log",
        programs="nginx",
        time_format="%Y/%m/%d %H:%M:%S",
        samples=(
            '2026/12/07 22:16:21 [error] 1234#1234: *1 open() "/var/www/x" failed '
            '(2: No such file or directory), client: 127.0.0.1, server: _, request: "GET /x"',
            '2026/12/07 22:16:20 [notice] 1233#1233: using the "epoll" event method',
        ),
    ),
    Preset(
        "lighttpd",
        r"<Date:\d\d\d\d-\d\d-\d\d> <Time:\d\d:\d\d:\d\d>: \(<Source>\) <Content>",
        "lighttpd error log",
        programs="lighttpd",
        time_format="%Y-%m-%d %H:%M:%S",
        samples=("2026-12-07 22:16:21: (server.c.1940) server started (lighttpd/1.4.69)",),
    ),
    Preset(
        "haproxy-http",
        r"<Client>:<Port:\d+> \[<Time>\] <Frontend> <Backend>/<Server> <Timers> "
        r"<Status:-?\d+> <Bytes:\d+> <Content>",
        "HAProxy HTTP log (option httplog), as written to stdout or a file",
        programs="HAProxy",
        time_format="%d/%b/%Y:%H:%M:%S%.f",
        level="Status",
        level_rule=_STATUS,
        multiline=False,
        samples=(
            "127.0.0.1:40210 [07/Dec/2026:22:16:21.341] web~ app/s1 0/0/0/1/1 200 612 - - "
            '---- 1/1/0/0/0 0/0 "GET / HTTP/1.1"',
        ),
    ),
    Preset(
        "squid-access",
        r"<Time:\d+\.\d+> <Elapsed:\d+> <Client> <Code>/<Status:\d+> <Bytes:\d+> "
        r"<Method> <Content> <User> <Hierarchy>/<Peer> <Type>",
        "Squid access log (native format)",
        programs="Squid",
        time_format="%s",
        level="Status",
        level_rule=_STATUS,
        multiline=False,
        samples=(
            "1765145781.341    123 127.0.0.1 TCP_MISS/200 1234 GET http://127.0.0.1:8080/ - "
            "HIER_DIRECT/127.0.0.1 text/html",
        ),
    ),
    Preset(
        "squid-cache",
        r"<Date:\d\d\d\d/\d\d/\d\d> <Time>( kid<Kid:\d+>)?\| <Content>",
        "Squid cache.log",
        programs="Squid",
        time_format="%Y/%m/%d %H:%M:%S",
        samples=(
            "2026/12/07 22:16:21 kid1| Accepting HTTP Socket connections at conn3 local=[::]:3128",
            "2026/12/07 22:16:21| Starting Squid Cache version 5.7",
        ),
    ),
    Preset(
        "cri",
        r"<Timestamp:\d\d\d\d-\d\d-\d\dT[^ ]+> <Stream:stdout|stderr> <Tag:[FP]> <Content>",
        "container runtime (CRI) log: Kubernetes' /var/log/containers/*.log",
        programs="containerd, CRI-O, kubelet",
        multiline=False,
        time_format=_ISO,
        samples=("2026-12-07T22:16:21.341234567Z stdout F GET /healthz 200",),
    ),
    # ------------------------------------------------------------------ databases and stores
    Preset(
        "postgresql",
        r"<Date:\d\d\d\d-\d\d-\d\d> <Time:\d\d:\d\d:\d\d[.0-9]*> <Zone:[A-Za-z]+|[-+]\d+> "
        r"\[<Pid:\d+>\] (<User>@<Database> )?<Level:[A-Z]+[0-9]?>: <Content>",
        "PostgreSQL stderr log (Debian's log_line_prefix '%m [%p] %q%u@%d ')",
        programs="PostgreSQL, pgbouncer",
        time_fields=("Date", "Time", "Zone"),
        time_format="%Y-%m-%d %H:%M:%S%.f %Z",
        samples=(
            '2026-12-07 22:16:21.341 UTC [15124] user@db ERROR:  relation "x" does not exist',
            "2026-12-07 23:16:21.341 CET [15124] LOG:  database system is ready to accept "
            "connections",
        ),
    ),
    Preset(
        "mariadb-error",
        r"<Date:\d\d\d\d-\d\d-\d\d|\d\d\d\d\d\d> <Time:\d+:\d\d:\d\d>( <Thread:\d+>)? "
        r"\[<Level:[A-Za-z]+>\] <Content>",
        "MariaDB / MySQL 5 error log",
        programs="MariaDB, MySQL 5.x",
        levels={"Note": "INFO", "System": "INFO"},
        signature=r"\[(Note|Warning|System)\] |\[ERROR\] (mysqld|mariadbd|InnoDB|Plugin|Aria)",
        samples=(
            "2026-12-07 22:16:21 0 [Note] InnoDB: Buffer pool(s) load completed",
            "2026-12-07 22:16:22 5 [Warning] Access denied for user 'bob'@'localhost'",
            "161207 22:16:21 [ERROR] mysqld: Table 'x' is marked as crashed",
        ),
    ),
    Preset(
        "mysql-error",
        r"<Timestamp:\d\d\d\d-\d\d-\d\dT[^ ]+> <Thread:\d+> \[<Level:[A-Za-z]+>\] "
        r"\[<Code:MY-\d+>\] \[<Subsystem>\] <Content>",
        "MySQL 8 error log",
        programs="MySQL 8",
        time_format=_ISO,
        levels={"Note": "INFO", "System": "INFO"},
        samples=(
            "2026-12-07T22:16:21.341234Z 0 [System] [MY-010116] [Server] /usr/sbin/mysqld "
            "(mysqld 8.0.36) starting as process 1",
        ),
    ),
    Preset(
        "mariadb-slow",
        r"# Time: <Timestamp>",
        "MariaDB / MySQL slow query log: a record from each '# Time:' line",
        programs="MariaDB, MySQL",
        message=None,
        samples=("# Time: 261207 22:16:21", "# Time: 2026-12-07T22:16:21.341234Z"),
        signature=r"^# (Time|User@Host|Query_time): ",
    ),
    Preset(
        "redis",
        r"<Pid:\d+>:<Role:[XCSM]> <Day:\d+> <Month:[A-Z][a-z][a-z]> <Year:\d\d\d\d> "
        r"<Time> <Level:[-.*#]> <Content>",
        "Redis server log",
        programs="Redis, Valkey",
        time_fields=("Day", "Month", "Year", "Time"),
        time_format="%d %b %Y %H:%M:%S%.f",
        level_rule="redis",
        samples=("1234:M 07 Dec 2026 22:16:21.341 * Ready to accept connections tcp",),
    ),
    # ------------------------------------------------------------------ mail, ftp, brokers
    Preset(
        "exim",
        r"<Date:\d\d\d\d-\d\d-\d\d> <Time:\d\d:\d\d:\d\d[.0-9]*>( [-+]\d\d\d\d)?"
        r"( \[<Pid:\d+>\])? <Content>",
        "Exim main log",
        programs="Exim",
        time_fields=("Date", "Time"),
        time_format="%Y-%m-%d %H:%M:%S%.f",
        samples=(
            "2026-12-07 22:16:21 1vABCD-000123-AB <= bob@example.test U=bob P=local S=342",
            "2026-12-07 22:16:22 1vABCD-000123-AB ** nobody@localhost: Unrouteable address",
        ),
        signature=r"^\S+ \S+ (\[\d+\] )?[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4} "
        r"(<=|=>|->|\*\*|==|Completed)|exim [0-9.]+ daemon started",
    ),
    Preset(
        "vsftpd",
        r"<Time:[A-Z][a-z][a-z] [A-Z][a-z][a-z] \d+ \d\d:\d\d:\d\d \d\d\d\d> "
        r"\[pid <Pid:\d+>\]( \[<User>\])? <Content>",
        "vsftpd log",
        programs="vsftpd",
        time_format="%a %b %d %H:%M:%S %Y",
        multiline=False,
        samples=(
            'Mon Dec  7 22:16:21 2026 [pid 1234] CONNECT: Client "::ffff:127.0.0.1"',
            'Mon Dec  7 22:16:23 2026 [pid 1233] [bob] FAIL LOGIN: Client "::ffff:127.0.0.1"',
        ),
    ),
    Preset(
        "mosquitto",
        r"<Time:\d\d\d\d\d\d\d\d\d\d+>: <Content>",
        "epoch seconds, a colon, the message (mosquitto)",
        programs="mosquitto",
        time_format="%s",
        multiline=False,
        samples=("1765145781: mosquitto version 2.0.11 starting",),
    ),
    # ------------------------------------------------------------------ system tools
    Preset(
        "dpkg",
        r"<Date:\d\d\d\d-\d\d-\d\d> <Time:\d\d:\d\d:\d\d> "
        r"<Action:startup|status|install|upgrade|configure|remove|purge|trigproc|conffile> "
        r"<Content>",
        "dpkg's log (/var/log/dpkg.log)",
        programs="dpkg, apt",
        time_format="%Y-%m-%d %H:%M:%S",
        multiline=False,
        samples=(
            "2025-06-24 14:36:25 status installed libssl3:amd64 3.0.15-1",
            "2025-06-24 14:36:20 startup archives unpack",
        ),
    ),
    Preset(
        "update-alternatives",
        r"update-alternatives <Date> <Time>: <Content>",
        "update-alternatives' log (/var/log/alternatives.log)",
        programs="dpkg (update-alternatives)",
        time_format="%Y-%m-%d %H:%M:%S",
        multiline=False,
        samples=("update-alternatives 2025-06-24 14:36:53: run with --install /usr/bin/x x /y 10",),
    ),
    Preset(
        "apt-history",
        r"Start-Date: <Date> <Time>",
        "apt's history log: a record from each 'Start-Date:' line",
        programs="apt",
        message=None,
        time_format="%Y-%m-%d %H:%M:%S",
        samples=("Start-Date: 2026-12-07  22:16:21",),
    ),
    Preset(
        "apt-term",
        r"Log (started|ended): <Date> <Time>",
        "apt's terminal log: a record from each 'Log started:' line",
        programs="apt (/var/log/apt/term.log)",
        message=None,
        time_format="%Y-%m-%d %H:%M:%S",
        samples=("Log started: 2025-06-24  14:36:25",),
    ),
    Preset(
        "fail2ban",
        r"<Date> <Time> <Component:fail2ban[.a-z]*> \[<Pid:\d+>\]: <Level:[A-Z]+> <Content>",
        "fail2ban log",
        programs="fail2ban",
        samples=(
            "2026-12-07 22:16:21,341 fail2ban.server [1234]: INFO    Starting Fail2ban v1.0.2",
        ),
    ),
    # ------------------------------------------------------------------ Java
    Preset(
        "tomcat",
        r"<Date:\d\d-[A-Z][a-z][a-z]-\d\d\d\d> <Time> <Level:[A-Z]+> \[<Thread>\] "
        r"<Component> <Content>",
        "java.util.logging one-line format (Tomcat's catalina log)",
        programs="Apache Tomcat, java.util.logging OneLineFormatter",
        time_format="%d-%b-%Y %H:%M:%S%.f",
        samples=(
            "07-Dec-2026 22:16:21.341 INFO [main] org.apache.catalina.startup.Catalina.start "
            "Server startup in [1234] milliseconds",
            "07-Dec-2026 22:16:22.001 SEVERE [http-nio-8080-exec-1] org.apache.catalina.core."
            "StandardWrapperValve.invoke Servlet.service() threw exception",
        ),
    ),
    Preset(
        "spring-boot",
        r"<Timestamp:\d\d\d\d-\d\d-\d\d[T ][^ ]+> <Level:[A-Z]+> <Pid:\d+> --- "
        r"(\[<App>\] )?\[\s*<Thread>\] <Component> : <Content>",
        "Spring Boot's default console/file log",
        programs="Spring Boot",
        samples=(
            "2026-12-07T22:16:21.341Z  INFO 1234 --- [main] o.s.b.w.e.tomcat.TomcatWebServer  "
            ": Tomcat started on port 8080 (http)",
            "2026-12-07T22:16:21.341+01:00  WARN 1234 --- [demo] [           main] "
            "c.e.d.DemoApplication                    : careful",
        ),
    ),
    Preset(
        "logback",
        r"<Date:\d\d\d\d-\d\d-\d\d> <Time> \[<Thread>\] <Level:[A-Z]+> <Component> - <Content>",
        "logback/log4j2 '%d [%thread] %-5level %logger - %msg'",
        programs="logback, log4j2, SLF4J-based Java services",
        samples=(
            "2026-12-07 22:16:21.341 [main] INFO  com.example.App - started in 1.2 s",
            "2026-12-07 22:16:22.001 [pool-1-thread-2] ERROR c.e.OrderService - order failed",
        ),
    ),
    Preset(
        "log4j",
        r"<Date:\S+> <Time:\S+> <Level:[A-Z]+> \[<Thread>\] <Component>: <Content>",
        "date time level [thread] logger: message (log4j, logback)",
        programs="log4j, logback, Hadoop, ZooKeeper",
        samples=(
            "2026-03-01 08:00:00,123 INFO [main] com.example.App: started",
            "2026-12-07 22:16:21,341 WARN  [http-1] com.example.Api: slow request",
        ),
    ),
    Preset(
        "log4j-short",
        r"<Date:\S+> <Time:\S+> <Level:[A-Z]+> <Component>: <Content>",
        "date time level logger: message",
        programs="Spark, log4j with '%d %p %c: %m'",
        samples=("17/06/09 20:10:40 INFO executor.Executor: Running task",),
    ),
    Preset(
        "hdfs",
        r"<Date:\d\d\d\d\d\d> <Time:\d\d\d\d\d\d> <Pid:\d+> <Level:[A-Z]+> <Component>: <Content>",
        "Hadoop HDFS daemons (log4j '%d{yyMMdd HHmmss} %t %p %c: %m')",
        programs="Hadoop HDFS NameNode/DataNode",
        time_format="%y%m%d %H%M%S",
        samples=(
            "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block "
            "blk_38865049064139660 terminating",
        ),
    ),
    # ------------------------------------------------------------------ Python
    Preset(
        "python-asctime",
        r"<Date:\S+> <Time:\S+> - <Component> - <Level:[A-Z]+> - <Content>",
        "Python logging '%(asctime)s - %(name)s - %(levelname)s - %(message)s'",
        programs="Python logging (the logging HOWTO's format)",
        samples=("2026-12-07 22:16:21,341 - app.db - ERROR - connection refused",),
    ),
    Preset(
        "gunicorn",
        r"\[<Date> <Time> <Zone:[-+]\d\d\d\d>\] \[<Pid:\d+>\] \[<Level:[A-Z]+>\] <Content>",
        "Gunicorn's error log",
        programs="Gunicorn",
        time_fields=("Date", "Time", "Zone"),
        time_format="%Y-%m-%d %H:%M:%S %z",
        samples=("[2026-12-07 22:16:21 +0000] [1234] [INFO] Starting gunicorn 23.0.0",),
    ),
    Preset(
        "celery",
        r"\[<Date> <Time>: <Level:[A-Z]+>/<Process>\] <Content>",
        "Celery worker log",
        programs="Celery",
        samples=("[2026-12-07 22:16:21,341: INFO/MainProcess] Connected to memory://localhost//",),
    ),
    Preset(
        "jupyter",
        r"\[<Level:[DIWEC]> <Date:\d\d\d\d-\d\d-\d\d> <Time> <Component>\] <Content>",
        "Jupyter server log",
        programs="jupyter_server, JupyterLab, JupyterHub",
        time_format="%Y-%m-%d %H:%M:%S%.f",
        samples=("[I 2026-12-07 22:16:21.341 ServerApp] Jupyter Server 2.14.2 is running at:",),
        also=(
            Also(  # a kernel's own log lines, which carry no time
                r"\[<App:[A-Za-z]+App>\] <Level:[A-Z]+> \| <Message>",
                level="Level",
                message="Message",
                samples=("[IPKernelApp] WARNING | Kernel is running over TCP without encryption.",),
            ),
        ),
    ),
    Preset(
        "tornado",
        r"\[<Level:[DIWEC]> <Date:\d\d\d\d\d\d> <Time> <Component>\] <Content>",
        "Tornado's log format",
        programs="Tornado, older Jupyter",
        time_format="%y%m%d %H:%M:%S",
        samples=("[I 261207 22:16:21 web:2348] 200 GET / (127.0.0.1) 1.21ms",),
    ),
    Preset(
        "uvicorn",
        r"<Level:[A-Z]+>: <Content>",
        "uvicorn's default log (no timestamp)",
        programs="uvicorn, FastAPI",
        samples=('INFO:     127.0.0.1:5555 - "GET / HTTP/1.1" 200 OK',),
    ),
    Preset(
        "python-logging",
        r"<Level:[A-Z]+>:<Component>:<Content>",
        "Python logging's default LEVEL:logger:message (no timestamp)",
        programs="Python logging.basicConfig()",
        samples=("WARNING:root:disk almost full",),
    ),
    # ------------------------------------------------------------------ Go
    Preset(
        "klog",
        r"<Level:[IWEF]><Date:\d\d\d\d> <Time> <Pid:\d+> <Source>\] <Content>",
        "glog / klog (Kubernetes components); the year is inferred",
        programs="Kubernetes, etcd (older), glog",
        time_format="%m%d %H:%M:%S%.f",
        samples=("I1207 22:16:21.341234    1234 main.go:42] Starting controller",),
    ),
    Preset(
        "logfmt",
        r'(time|ts|t)="?<Time:[^" ]+>"? (level|lvl)=<Level:[A-Za-z]+> (msg|message)=<Content>',
        "logfmt key=value lines (Go slog's TextHandler, logrus, Grafana tools)",
        programs="Go log/slog TextHandler, logrus, go-kit, Grafana Loki/Prometheus",
        samples=(
            'time=2026-12-07T22:16:21.341+01:00 level=INFO msg="hello world" user=bob',
            'time="2026-12-07T22:16:21Z" level=warning msg="disk low" pct=91',
        ),
    ),
    Preset(
        "go-log",
        r"<Date:\d\d\d\d/\d\d/\d\d> <Time:\d\d:\d\d:\d\d[.0-9]*> <Content>",
        "Go's standard log package (date time message)",
        programs="Go programs using package log",
        time_format="%Y/%m/%d %H:%M:%S%.f",
        samples=("2026/12/07 22:16:21 listening on 127.0.0.1:8080",),
    ),
    # ------------------------------------------------------------------ more services
    Preset(
        "ruby-logger",
        r"<Letter:[DIWEFA]>, \[<Timestamp:\d\d\d\d-\d\d-\d\dT\S+> #<Pid:\d+>\] "
        r"<Level:[A-Z]+> -- <Component>: <Content>",
        "Ruby's Logger (the standard library's default format; Rails, Sidekiq)",
        programs="Ruby Logger, Rails, Sidekiq, Puma",
        time_format="%Y-%m-%dT%H:%M:%S%.f",
        samples=("W, [2026-12-08T01:02:24.387430 #9017]  WARN -- fetcher: retrying in 2 s",),
    ),
    Preset(
        "samba",
        r"\[<Date:\d\d\d\d/\d\d/\d\d> <Time:\d\d:\d\d:\d\d[.0-9]*>, <Level:\d+>"
        r"(, [^\]]*)?\] <Content>",
        "Samba's log: a [date time, debug level] header line, the message indented below",
        programs="Samba smbd, nmbd, winbindd",
        time_fields=("Date", "Time"),
        time_format="%Y/%m/%d %H:%M:%S%.f",
        # Samba's own debug-level to syslog mapping (lib/util/debug.c)
        levels={
            "0": "ERROR",
            "1": "WARNING",
            **{str(k): "NOTICE" for k in range(2, 6)},
            **{str(k): "INFO" for k in range(6, 10)},
            "10": "DEBUG",
        },
        samples=("[2026/12/08 01:05:22.376771,  0] ../../source3/smbd/server.c:1734(main)",),
    ),
    Preset(
        "oslo",
        r"<Date:\d\d\d\d-\d\d-\d\d> <Time> <Pid:\d+> <Level:[A-Z]+> <Component> "
        r"(\[<Context>\] )?<Content>",
        "OpenStack services (oslo.log's default format)",
        programs="OpenStack: nova, neutron, keystone, cinder, glance...",
        samples=(
            "2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server "
            "[req-38101a0b-2096-447d-96ea-a692162415ae - - - - -] 10.11.10.1 "
            '"GET /v2/servers/detail HTTP/1.1" status: 200 len: 1893 time: 0.2477829',
        ),
    ),
    Preset(
        "elasticsearch",
        r"\[<Timestamp:\d\d\d\d-\d\d-\d\dT[^\]]+>\]\[<Level:[A-Z]+>\s*\]\[<Component>\s*\] "
        r"(\[<Node>\] )?<Content>",
        "Elasticsearch / OpenSearch plain-text log",
        programs="Elasticsearch, OpenSearch",
        time_format="%Y-%m-%dT%H:%M:%S%.f",
        samples=("[2026-12-07T22:16:21,341][INFO ][o.e.n.Node               ] [node-1] started",),
    ),
    Preset(
        "cassandra",
        r"<Level:[A-Z]+> \[<Thread>\] <Date:\d\d\d\d-\d\d-\d\d> <Time> <Source> - <Content>",
        "Apache Cassandra system.log",
        programs="Apache Cassandra",
        samples=(
            "INFO  [main] 2026-12-07 22:16:21,341 CassandraDaemon.java:507 - Startup complete",
        ),
    ),
    Preset(
        "rabbitmq",
        r"<Timestamp:\d\d\d\d-\d\d-\d\d \d\d:\d\d:\d\d[.0-9]*[-+]\d\d:\d\d> "
        r"\[<Level:[a-z]+>\] <Process:\<[0-9.]+\>> <Content>",
        "RabbitMQ 3.9+ log",
        programs="RabbitMQ",
        time_format="%Y-%m-%d %H:%M:%S%.f%z",
        samples=("2026-12-07 22:16:21.341234+00:00 [info] <0.228.0> Server startup complete",),
    ),
    Preset(
        "php-error",
        r"\[<Date:\d\d-[A-Z][a-z][a-z]-\d\d\d\d> <Time> <Zone:[A-Za-z][A-Za-z/_]+>\] "
        r"(PHP <Level:[A-Za-z ]+?>: )?<Content>",
        "PHP's error log (error_log = file)",
        programs="PHP",
        time_fields=("Date", "Time", "Zone"),
        time_format="%d-%b-%Y %H:%M:%S %Z",
        levels={
            "Fatal error": "CRITICAL",
            "Parse error": "CRITICAL",
            "Warning": "WARNING",
            "Notice": "NOTICE",
            "Deprecated": "INFO",
        },
        samples=(
            "[07-Dec-2026 22:16:21 UTC] PHP Warning:  Undefined variable $x in /a.php on line 3",
        ),
    ),
    Preset(
        "php-fpm",
        r"\[<Date:\d\d-[A-Z][a-z][a-z]-\d\d\d\d> <Time>\] <Level:[A-Z]+>: <Content>",
        "PHP-FPM's log",
        programs="PHP-FPM",
        time_format="%d-%b-%Y %H:%M:%S",
        samples=("[07-Dec-2026 22:16:21] NOTICE: fpm is running, pid 1234",),
    ),
    Preset(
        "auditd",
        r"type=<Type:[A-Z_0-9]+> msg=audit\(<Time:\d+\.\d+>:<Serial:\d+>\): <Content>",
        "Linux audit log (/var/log/audit/audit.log)",
        programs="auditd",
        time_format="%s",
        multiline=False,
        samples=(
            "type=USER_LOGIN msg=audit(1765145781.341:812): pid=1234 uid=0 auid=1000 "
            'ses=3 msg=\'op=login acct="bob" exe="/usr/sbin/sshd" res=failed\'',
        ),
    ),
    Preset(
        "cloud-init",
        r"<Date:\d\d\d\d-\d\d-\d\d> <Time> - <Source>\[<Level:[A-Z]+>\]: <Content>",
        "cloud-init's log",
        programs="cloud-init",
        samples=("2026-12-07 22:16:21,341 - util.py[DEBUG]: Cloud-init v. 24.1 running 'init'",),
    ),
    Preset(
        "logcat",
        r"<Date:\d\d-\d\d> <Time> <Pid:\d+> <Tid:\d+> <Level:[VDIWEFA]> <Tag>: <Content>",
        "Android logcat (threadtime); the year is inferred",
        programs="Android (adb logcat -v threadtime)",
        time_format="%m-%d %H:%M:%S%.f",
        levels={"V": "TRACE", "A": "EMERGENCY"},
        samples=("12-07 22:16:21.341  1234  1250 I ActivityManager: Start proc 4321:com.x/u0a1",),
    ),
    # ------------------------------------------------------------------ generic layouts
    Preset(
        "timestamp-bracket-level",
        r"<Date:\S+> <Time:\S+> \[<Level>\] <Content>",
        "date time [level] message",
        samples=("2026-03-01 08:00:00 [WARN] disk almost full",),
    ),
    Preset(
        "bracket-timestamp-level",
        r"\[<Timestamp>\] <Level:[A-Za-z]+>:? <Content>",
        "[timestamp] level message",
        samples=("[2026-03-01T08:00:00Z] INFO started",),
    ),
    Preset(
        "timestamp-level-message",
        r"<Date:\S+> <Time:\S+> <Level:[A-Za-z][A-Za-z]+> <Content>",
        "date time level message (supervisord and many others)",
        programs="supervisord, many applications",
        samples=(
            "2026-03-01 08:00:00.123 WARNING disk almost full",
            "2026-12-07 22:16:21,341 INFO supervisord started with pid 1234",
        ),
    ),
    Preset(
        "iso-level-message",
        r"<Timestamp:\S+> <Level:[A-Za-z][A-Za-z]+> <Content>",
        "ISO-8601 timestamp, level, message",
        samples=("2026-03-01T08:00:00Z INFO started",),
    ),
    Preset(
        "timestamp-message",
        r"<Date:\d\S*> <Time:\d\d?:\d\d(:\d\d)?[.,0-9]*> <Content>",
        "date time message: any program's lines with a date and a clock in front",
        samples=(
            "2026-12-07 22:16:21 something happened",
            "07-Dec-2026 22:16:21.341 general: info: zone loaded",
        ),
    ),
    Preset(
        "prefix-timestamp-message",
        r"<Prefix:\S+> <Date:\d\S*> <Time:\d\d?:\d\d:\d\d[.,0-9]*> <Content>",
        "a word (a name, a letter, a file), then date time message",
        samples=("node-7 2026-12-07 22:16:21.341 something happened",),
    ),
    Preset(
        "level-bracket-timestamp",
        r"<Level:[A-Za-z]+>:? \[<Timestamp:[^\]]*\d[^\]]*>\] <Content>",
        "level [timestamp] message (CUPS' error_log and others)",
        samples=("E [08/Dec/2026:01:04:18 +0000] [Client 30] pam_authenticate() failed",),
    ),
    Preset(
        "level-timestamp-message",
        r"<Level:[A-Za-z]+>:? <Date:\d\S*> <Time:\d\d?:\d\d(:\d\d)?[.,0-9]*> <Content>",
        "level date time message",
        samples=("WARN 2026-12-07 22:16:21,341 disk almost full",),
    ),
    Preset(
        "level-month-day-time",
        r"<Level:[A-Za-z]+>:? <Month:[A-Z][a-z][a-z]> <Day:\d+> "
        r"<Time:\d\d:\d\d:\d\d[.0-9]*> <Content>",
        "level Mon day time message, no year",
        time_format="%b %d %H:%M:%S%.f",
        samples=("NOTICE    Dec 08 01:01:45.420 [8233]: Initializing",),
    ),
    Preset(
        "ctime-message",
        r"<Time:[A-Z][a-z][a-z] [A-Z][a-z][a-z] \d+ \d\d:\d\d:\d\d \d\d\d\d> <Content>",
        "C's ctime() timestamp (Tue Dec  8 01:08:38 2026), then the message",
        time_format="%a %b %d %H:%M:%S %Y",
        samples=("Tue Dec  8 01:08:38 2026 -> WARNING: a message",),
    ),
    Preset(
        "bracket-timestamp-message",
        r"\[<Timestamp:[^\]]*\d[^\]]*>\] <Content>",
        "[timestamp] message",
        samples=(
            "[2026-12-07 22:16:21] something happened",
            "[Mon Dec  7 22:16:21 2026] 127.0.0.1:5555 [200]: GET /",
            "[1765145781] prog[79:0] notice: started",
        ),
    ),
    Preset(
        "month-day-time-message",
        r"<Month:[A-Z][a-z][a-z]> <Day:\d+> <Time:\d\d:\d\d:\d\d[.0-9]*> <Content>",
        "Mon day time message, no year (syslog's clock without host and tag)",
        time_format="%b %d %H:%M:%S%.f",
        samples=("Dec  7 22:16:21 something happened",),
    ),
    Preset(
        "epoch-message",
        r"<Time:\d\d\d\d\d\d\d\d\d\d(\.\d+)?> <Content>",
        "epoch seconds then the message",
        time_format="%s",
        samples=("1765145781.341 something happened",),
    ),
    Preset(
        "iso-message",
        r"<Timestamp:\d\d\d\d-\d\d-\d\dT[^ ]+> <Content>",
        "ISO-8601 timestamp, message",
        time_format=_ISO,
        samples=("2026-12-07T22:16:21.341Z something happened",),
    ),
    # ------------------------------------------------------------------ JSON lines
    Preset(
        "journal-json",
        JSONL,
        "systemd journal export (journalctl -o json)",
        programs="systemd-journald",
        json={
            "time_key": "__REALTIME_TIMESTAMP",
            "level_key": "PRIORITY",
            "message_key": "MESSAGE",
            "require": ("__REALTIME_TIMESTAMP", "MESSAGE"),
        },
        samples=(
            '{"__REALTIME_TIMESTAMP":"1765145781341234","PRIORITY":"3","_HOSTNAME":"web",'
            '"SYSLOG_IDENTIFIER":"sshd","_PID":"1234","MESSAGE":"error: kex failed"}',
        ),
    ),
    Preset(
        "docker-json",
        JSONL,
        "Docker's json-file log driver",
        programs="Docker, Moby",
        json={"time_key": "time", "message_key": "log", "require": ("log", "stream", "time")},
        samples=(
            '{"log":"GET / 200\\n","stream":"stdout","time":"2026-12-07T22:16:21.341234567Z"}',
        ),
    ),
    Preset(
        "postgresql-json",
        JSONL,
        "PostgreSQL jsonlog (log_destination = 'jsonlog')",
        programs="PostgreSQL 15+",
        json={
            "time_key": "timestamp",
            "level_key": "error_severity",
            "message_key": "message",
            "require": ("timestamp", "error_severity", "message"),
        },
        samples=(
            '{"timestamp":"2026-12-07 22:16:58.416 UTC","pid":15124,"error_severity":"ERROR",'
            '"message":"relation \\"x\\" does not exist","backend_type":"client backend"}',
        ),
    ),
    Preset(
        "bunyan",
        JSONL,
        "Bunyan JSON (Node.js)",
        programs="bunyan",
        json={
            "time_key": "time",
            "level_key": "level",
            "message_key": "msg",
            "require": ("name", "hostname", "pid", "level", "msg", "time", "v"),
        },
        samples=(
            '{"name":"app","hostname":"web","pid":1234,"level":30,"msg":"listening",'
            '"time":"2026-12-07T22:16:21.341Z","v":0}',
        ),
    ),
    Preset(
        "pino",
        JSONL,
        "pino JSON (Node.js): numeric levels, epoch milliseconds",
        programs="pino, Fastify",
        json={
            "time_key": "time",
            "level_key": "level",
            "message_key": "msg",
            "require": ("level", "time", "pid", "hostname"),
        },
        samples=(
            '{"level":30,"time":1765145781341,"pid":1234,"hostname":"web","msg":"listening"}',
        ),
    ),
    Preset(
        "zap-json",
        JSONL,
        "zap's production JSON (Go): epoch seconds as a float",
        programs="zap, Caddy, etcd",
        json={
            "time_key": "ts",
            "level_key": "level",
            "message_key": "msg",
            "require": ("level", "ts", "msg"),
        },
        samples=('{"level":"info","ts":1765145781.341,"logger":"http","msg":"server running"}',),
    ),
    Preset(
        "mongodb",
        JSONL,
        "MongoDB structured log (4.4+)",
        programs="MongoDB",
        json={
            "time_key": "t.$date",
            "level_key": "s",
            "message_key": "msg",
            "require": ("t", "s", "c", "msg"),
        },
        samples=(
            '{"t":{"$date":"2026-12-07T22:16:21.341+00:00"},"s":"I","c":"NETWORK","id":23015,'
            '"ctx":"listener","msg":"Listening on","attr":{"address":"127.0.0.1"}}',
        ),
    ),
    Preset(
        "gelf",
        JSONL,
        "GELF (Graylog) JSON",
        programs="Graylog GELF senders",
        json={
            "time_key": "timestamp",
            "level_key": "level",
            "message_key": "short_message",
            "require": ("version", "host", "short_message"),
        },
        samples=(
            '{"version":"1.1","host":"web","short_message":"disk full","timestamp":1765145781.341,'
            '"level":3}',
        ),
    ),
    Preset(
        "ecs-json",
        JSONL,
        "Elastic Common Schema JSON (ECS loggers)",
        programs="ecs-logging for Java, .NET, Python, Node, Go",
        json={
            "time_key": "@timestamp",
            "level_key": "log.level",
            "message_key": "message",
            "require": ("@timestamp", "log.level", "message"),
        },
        samples=(
            '{"@timestamp":"2026-12-07T22:16:21.341Z","log.level":"error","message":"boom",'
            '"ecs.version":"1.2.0"}',
        ),
    ),
    Preset(
        "slog-json",
        JSONL,
        "Go log/slog JSONHandler",
        programs="Go log/slog",
        json={
            "time_key": "time",
            "level_key": "level",
            "message_key": "msg",
            "require": ("time", "level", "msg"),
            # slog writes its levels in capitals (logrus, with the same keys, does not)
            "match": {"level": r"(DEBUG|INFO|WARN|ERROR)([+-]\d+)?"},
        },
        samples=('{"time":"2026-12-07T22:16:21.341+01:00","level":"INFO","msg":"hello","n":1}',),
    ),
    Preset(
        "winston",
        JSONL,
        "winston JSON with a timestamp (Node.js)",
        programs="winston",
        json={
            "time_key": "timestamp",
            "level_key": "level",
            "message_key": "message",
            "require": ("level", "message", "timestamp"),
        },
        samples=('{"level":"info","message":"listening","timestamp":"2026-12-07T22:16:21.341Z"}',),
    ),
    Preset(
        JSONL,
        JSONL,
        "JSON lines: message, time and level keys found automatically",
        programs="structlog, python-json-logger, and any JSON logger",
        json={},
        samples=('{"event":"user logged in","level":"info","timestamp":"2026-12-07T22:16:21Z"}',),
    ),
    Preset(
        "raw",
        r"<Content>",
        "whole lines as messages, nothing else parsed (what 'auto' falls back to)",
        multiline=False,
    ),
)
