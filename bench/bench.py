#!/usr/bin/python3
"""Measures hit-counter side by side with its ceiling and its peers, one server at a time.

bench/run.sh builds everything and then runs this file with Debian's python3. It starts one
redis-server of its own, then each server under test on its own port, warms it up, runs wrk at each
connection count, checks every run against the Redis counter, stops what it started, and writes a
JSON file under bench/out/ plus, unless --no-docs, the results section of docs/benchmarks.md and
docs/benchmarks.png.

The server and Redis are pinned to CPU 0, wrk and this script to CPU 1, for every server alike.
"""
import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
DOC = ROOT / "docs" / "benchmarks.md"
CHART = ROOT / "docs" / "benchmarks.png"
SERVER_CPU = "0"
LOAD_CPU = "1"
CLK = os.sysconf("SC_CLK_TCK")
PAGE_RE = re.compile(rb"Hello! This page has been seen (\d+) times\.")
KEY = "views"
BEGIN = "<!-- bench:results:begin (written by bench/run.sh; edit outside these markers) -->"
END = "<!-- bench:results:end -->"
# --badges: the badge endpoint against `/` on the same server (issue 12). A page's count is under
# PAGE_KEY_PREFIX:page, and the prefix defaults to "page".
BADGE_PATH = "/badge/bench.svg"
BADGE_KEY = "page:bench"
BADGE_GOAL = 0.8
BADGE_BEGIN = "<!-- bench:badges:begin (written by bench/run.sh --badges; edit outside these markers) -->"
BADGE_END = "<!-- bench:badges:end -->"
TEMURIN_25 = "/usr/lib/jvm/temurin-25-jdk-amd64"


# ---------------------------------------------------------------- processes we start

STARTED = []  # Popen objects, each the leader of its own process group


def spawn(argv, env=None, cwd=None, log=None, cpu=SERVER_CPU):
    """Starts argv pinned to one CPU in a new session, so that it and its children stop together."""
    out = open(log, "wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(["taskset", "-c", cpu] + list(argv), env=env, cwd=cwd, stdout=out,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    STARTED.append(proc)
    return proc


def stop(proc, grace=15.0):
    """Stops the process group that proc leads: SIGTERM, then SIGKILL after the grace period."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    try:  # children that outlived their leader (gunicorn workers, say)
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    if proc.poll() is None:
        proc.wait(5)
    if proc in STARTED:
        STARTED.remove(proc)


def stop_all(*_):
    for proc in list(reversed(STARTED)):
        stop(proc, grace=5.0)


def on_signal(signum, _frame):
    stop_all()
    sys.exit(128 + signum)


# ---------------------------------------------------------------- /proc readings

def _stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        text = f.read()
    return text[text.rfind(")") + 2:].split()


def tree(pid):
    """pid and all its descendants that are alive now."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(_stat_fields(entry)[1])
            except (OSError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        try:
            fields = _stat_fields(pid)
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass
    return total


def rss_kib(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def switches(pids):
    """{tid: (thread name, voluntary + involuntary context switches)} of every thread of the processes pids.

    /proc/<pid>/status counts the main thread only: a process's switches are the sum over its tasks.
    """
    counts = {}
    for pid in pids:
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            name, n = "?", 0
            try:
                with open(f"/proc/{pid}/task/{tid}/status") as f:
                    for line in f:
                        if line.startswith("Name:"):
                            name = line.split(None, 1)[1].strip() if len(line.split()) > 1 else "?"
                        elif "ctxt_switches:" in line:
                            n += int(line.split()[1])
            except (OSError, ValueError, IndexError):
                continue
            counts[int(tid)] = (name, n)
    return counts


def java_thread_names(pid):
    """{tid: full thread name} of a JVM from `jcmd <pid> Thread.print` ({} if that fails): /proc gives 15 characters,
    which leave Tomcat's poller and request threads ("http-nio-23400-...") one name."""
    try:
        done = subprocess.run(["jcmd", str(pid), "Thread.print"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    return {int(m.group(2), 16): m.group(1)
            for m in re.finditer(r'^"([^"]+)".*?nid=(0x[0-9a-f]+)', done.stdout, re.M)}


def jit_ticks(pid):
    """CPU ticks of a JVM's JIT compiler threads (0 for any other process)."""
    total = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                text = f.read()
        except OSError:
            continue
        if "CompilerThre" in text[text.index("(") + 1:text.rindex(")")]:
            fields = text[text.rfind(")") + 2:].split()
            total += int(fields[11]) + int(fields[12])
    return total


def machine_busy_ticks():
    """Busy ticks of every CPU together and of SERVER_CPU alone, from /proc/stat."""
    busy = {}
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu"):
                name, *v = line.split()
                v = [int(x) for x in v]
                busy[name] = v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
    return busy["cpu"], busy["cpu" + SERVER_CPU]


# ---------------------------------------------------------------- Redis and HTTP

class Redis:
    def __init__(self, port, log, replica_of=None, extra=()):
        self.port = port
        replica = ["--replicaof", "127.0.0.1", str(replica_of)] if replica_of else []
        self.proc = spawn(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                           "--appendonly", "no", "--daemonize", "no", *replica, *extra], log=log)
        deadline = time.monotonic() + 10
        while True:
            try:
                if self.command("PING") == "PONG":
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit(f"redis-server did not start on port {port}; see {log}")
            time.sleep(0.02)

    def command(self, *args):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            payload = f"*{len(args)}\r\n" + "".join(f"${len(str(a))}\r\n{a}\r\n" for a in args)
            s.sendall(payload.encode())
            reply = b""
            while not self._complete(reply):
                chunk = s.recv(4096)
                if not chunk:
                    raise OSError("Redis closed the connection")
                reply += chunk
        kind, line = reply[:1], reply[1:reply.index(b"\r\n")].decode()
        if kind in (b"+", b":"):
            return line
        if kind == b"$":
            return None if line == "-1" else reply.split(b"\r\n")[1].decode()
        raise RuntimeError(f"Redis answered {reply!r}")

    @staticmethod
    def _complete(reply):
        if b"\r\n" not in reply:
            return False
        if not reply.startswith(b"$"):
            return True
        length = int(reply[1:reply.index(b"\r\n")])
        return length < 0 or len(reply) >= reply.index(b"\r\n") + 2 + length + 2

    @property
    def pids(self):
        return [self.proc.pid]

    def views(self, key=KEY):
        value = self.command("GET", key)
        return int(value) if value is not None else 0

    def command_calls(self):
        """{command: calls} from INFO commandstats since the last CONFIG RESETSTAT (script calls included)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"*2\r\n$4\r\nINFO\r\n$12\r\ncommandstats\r\n")
            reply = b""
            while not self._complete(reply):
                chunk = s.recv(65536)
                if not chunk:
                    raise OSError("Redis closed the connection")
                reply += chunk
        calls = {}
        for line in reply.decode().splitlines():
            match = re.match(r"cmdstat_([^:]+):calls=(\d+)", line)
            if match:
                calls[match.group(1)] = int(match.group(2))
        return calls

    def settled_views(self, limit=5.0, key=KEY):
        """The counter once it has stopped moving: requests still in flight when wrk stopped land first."""
        last, stable_since, deadline = self.views(key), time.monotonic(), time.monotonic() + limit
        while time.monotonic() < deadline:
            time.sleep(0.05)
            now = self.views(key)
            if now != last:
                last, stable_since = now, time.monotonic()
            elif time.monotonic() - stable_since >= 0.3:
                break
        return last


class RedisCluster:
    """A Redis Cluster of three primaries and no replicas, for a Spec with cluster=True (issue 22), that stands in for
    the one Redis in measured_run: CPU and command counts are its nodes' together, a counter is read where it is."""

    PRIMARIES = 3
    BUS_OFFSET = 10000  # each node's cluster bus listens on its port + 10000

    def __init__(self, first_port):
        self.nodes = []
        port = first_port
        try:
            while len(self.nodes) < self.PRIMARIES:
                while not (port_is_free(port) and port_is_free(port + self.BUS_OFFSET)):
                    port += 1
                conf = OUT / "logs" / f"cluster-nodes-{port}.conf"
                conf.unlink(missing_ok=True)
                # cluster-node-timeout as in the tests' RedisClusterProcess.
                self.nodes.append(Redis(port, OUT / "logs" / f"redis-cluster-{port}.log", extra=(
                    "--cluster-enabled", "yes", "--cluster-config-file", str(conf), "--cluster-node-timeout", "1000")))
                port += 1
            created = subprocess.run(["redis-cli", "--cluster", "create",
                                      *(f"127.0.0.1:{n.port}" for n in self.nodes),
                                      "--cluster-replicas", "0", "--cluster-yes"],
                                     capture_output=True, text=True, timeout=60, check=False)
            if created.returncode != 0:
                raise RuntimeError(f"redis-cli --cluster create failed: {created.stdout} {created.stderr}")
            deadline = time.monotonic() + 30
            while not all("cluster_state:ok" in self._cluster_info(n) for n in self.nodes):
                if time.monotonic() > deadline:
                    raise RuntimeError("the Redis Cluster did not reach cluster_state:ok within 30 s")
                time.sleep(0.1)
        except BaseException:
            self.stop()
            raise

    @staticmethod
    def _cluster_info(node):
        return subprocess.run(["redis-cli", "-p", str(node.port), "CLUSTER", "INFO"], capture_output=True,
                              text=True, timeout=10, check=False).stdout

    @property
    def seed_url(self):
        return f"redis://127.0.0.1:{self.nodes[0].port}"

    @property
    def pids(self):
        return [n.proc.pid for n in self.nodes]

    def stop(self):
        for node in self.nodes:
            stop(node.proc, grace=5.0)

    def command(self, *args):
        """Sent to every node (measured_run's CONFIG RESETSTAT); the first node's answer."""
        return [n.command(*args) for n in self.nodes][0]

    def command_calls(self):
        calls = {}
        for node in self.nodes:
            for name, n in node.command_calls().items():
                calls[name] = calls.get(name, 0) + n
        return calls

    def views(self, key=KEY):
        # In cluster mode the app puts the page keys' prefix in a hash tag: page:bench is {page}:bench there.
        if key.startswith("page:"):
            key = "{page}:" + key[len("page:"):]
        for node in self.nodes:
            try:
                return node.views(key)
            except RuntimeError:  # MOVED: another node holds the key's slot
                continue
        raise RuntimeError(f"no node of the cluster answered GET {key}")

    settled_views = Redis.settled_views


def http_get(port, timeout=2.0, path="/"):
    """(status, body) of GET path on loopback, or (None, None) if nothing answers yet."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
    except OSError:
        return None, None
    if not data.startswith(b"HTTP/1."):
        return None, None
    return int(data.split(b" ", 2)[1]), data.partition(b"\r\n\r\n")[2]


def port_is_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_port(start):
    port = start
    while not port_is_free(port):
        port += 1
    return port


# ---------------------------------------------------------------- the servers under test

class Spec:
    """One server under test: how to start it and what it is."""

    def __init__(self, name, label, argv, env=None, cwd=None, redis=True, prepare=None, ours=False,
                 kind="", note="", cpus=SERVER_CPU, replica=False, cluster=False, once=False):
        self.name, self.label, self.argv, self.env, self.cwd = name, label, argv, env or {}, cwd
        # once: COUNT_ONCE_PER is set, so wrk (one visitor) counts once per window on a page.
        self.once = once
        self.redis, self.prepare, self.ours, self.kind, self.note = redis, prepare, ours, kind, note
        # cpus: where the server runs (Redis stays on SERVER_CPU); replica: needs a replica of the Redis.
        self.cpus, self.replica = cpus, replica
        # cluster: counts in a 3-primary Redis Cluster of its own (RedisCluster) instead of the one Redis.
        self.cluster = cluster


def fresh_base(name, tomcat_home, *more_dirs):
    """An empty CATALINA_BASE under bench/out with the stock conf/ but its server.xml, which the caller writes."""
    base = OUT / "catalina" / name
    shutil.rmtree(base, ignore_errors=True)
    for sub in ("conf", "logs", "temp", "webapps", "work", *more_dirs):
        (base / sub).mkdir(parents=True)
    for conf in (tomcat_home / "conf").iterdir():
        if conf.name != "server.xml":
            shutil.copy(conf, base / "conf" / conf.name)
    return base


def catalina_base(name, port, connector_attrs="", access_log=True, tomcat_home=None):
    """A CATALINA_BASE of our own: the stock conf with bench/tomcat/server.xml, and the WAR as ROOT."""
    base = fresh_base(name, tomcat_home)
    stock_log = ('<Valve className="org.apache.catalina.valves.AccessLogValve" directory="logs"\n'
                 '               prefix="localhost_access_log" suffix=".txt"\n'
                 '               pattern="%h %l %u %t &quot;%r&quot; %s %b" />')
    xml = (BENCH / "tomcat" / "server.xml").read_text()
    xml = (xml.replace("@PORT@", str(port)).replace("@CONNECTOR_ATTRS@", connector_attrs)
           .replace("@ACCESS_LOG@", stock_log if access_log else ""))
    (base / "conf" / "server.xml").write_text(xml)
    shutil.copy(ROOT / "target" / "hit-counter.war", base / "webapps" / "ROOT.war")
    return base


def image_base(name, port, tomcat_home):
    """A CATALINA_BASE laid out as docker/Dockerfile lays out the image: its server.xml and setenv.sh, the lib jar
    and the exploded WAR as webapps/ROOT; only the port differs."""
    base = fresh_base(name, tomcat_home, "bin", "lib")
    xml = (ROOT / "docker" / "tomcat" / "server.xml").read_text()
    (base / "conf" / "server.xml").write_text(xml.replace('port="8080"', f'port="{port}"'))
    shutil.copy(ROOT / "docker" / "tomcat" / "setenv.sh", base / "bin" / "setenv.sh")
    shutil.copy(ROOT / "target" / "hit-counter-tomcat-lib.jar", base / "lib")
    with zipfile.ZipFile(ROOT / "target" / "hit-counter.war") as war:
        war.extractall(base / "webapps" / "ROOT")
    return base


def specs(ctx):
    """Every server the harness knows; DEFAULT_SET and the experiments pick from these."""
    java17 = "java"
    java25 = f"{TEMURIN_25}/bin/java"
    embedded = ["-classpath", ctx["classpath"], "dev.hitcounter.EmbeddedLauncher"]
    tomcat_home = ctx["tomcat_home"]
    catalina = [str(tomcat_home / "bin" / "catalina.sh"), "run"]
    redis_env = {"REDIS_URL": f"redis://127.0.0.1:{ctx['redis_port']}", "COUNTER_KEY": KEY}
    flask_dir = str(BENCH / "flask")
    node = ["node", str(BENCH / "node" / "server.js")]
    # Linux's SCHED_BATCH, as the image's setenv.sh sets it (issue 28).
    batch = ("chrt", "--batch", "0")
    all_specs = []

    def in_tomcat(name, label, env, make_base, java_home=None, **kw):
        # make_base(port): the CATALINA_BASE to run, made afresh for each start.
        def prepare(port, spec_env):
            spec_env.update({"CATALINA_HOME": str(tomcat_home), "CATALINA_BASE": str(make_base(port))})
            if java_home:
                spec_env["JAVA_HOME"] = java_home
        all_specs.append(Spec(name, label, catalina, env=env, prepare=prepare, kind="java", **kw))

    def war(name, label, env, attrs="", access_log=True, java_home=None, **kw):
        in_tomcat(name, label, env, lambda port: catalina_base(name, port, attrs, access_log, tomcat_home),
                  java_home, **kw)

    def image(name, label, env, **kw):
        in_tomcat(name, label, env, lambda port: image_base(name, port, tomcat_home), **kw)

    def emb(name, label, env, java=java17, jvm_opts=(), prefix=(), **kw):
        all_specs.append(Spec(name, label, [*prefix, java, *jvm_opts, *embedded], env=env, kind="java", **kw))

    # The measured set.
    emb("ours-embedded", "ours, embedded Tomcat", redis_env, ours=True,
        note="the README run command's JVM: java -classpath target/classes:<compile classpath> dev.hitcounter.EmbeddedLauncher")
    if ctx["coalesce"]:
        emb("ours-embedded-no-coalesce", "ours, embedded, REDIS_COALESCE=false",
            {**redis_env, "REDIS_COALESCE": "false"}, ours=True,
            note="ours-embedded with REDIS_COALESCE=false: one INCR round trip per view")
    war("ours-war", "ours, WAR in Tomcat 11", redis_env, ours=True,
        note="target/hit-counter.war as ROOT.war in a stock Tomcat 11 (catalina.sh run), stock server.xml incl. access log")
    if ctx["coalesce"]:
        war("exp-war-no-coalesce", "ours, WAR, REDIS_COALESCE=false", {**redis_env, "REDIS_COALESCE": "false"},
            ours=True, note="ours-war with REDIS_COALESCE=false")
    image("ours-image", "ours, as the image runs it", redis_env, ours=True,
          note="the WAR exploded as webapps/ROOT in Tomcat 11 with docker/tomcat/server.xml, setenv.sh (SCHED_BATCH) "
          "and the lib jar, as docker/Dockerfile lays them out (catalina.sh run; Java 17 here, 21 in the image)")
    emb("ceiling-embedded", "ceiling: same servlet, no Redis", {}, redis=False,
        note="the same launcher and servlet with REDIS_URL unset: the in-memory counter, no Redis")
    war("ceiling-war", "ceiling: WAR, no Redis", {}, redis=False,
        note="ours-war with REDIS_URL unset: the in-memory counter, no Redis")
    image("ceiling-image", "ceiling: as the image runs it, no Redis", {}, redis=False,
          note="ours-image with REDIS_URL unset: the in-memory counter, no Redis")
    all_specs.append(Spec("flask-dev", "original: Flask dev server",
                          ["/usr/bin/python3", "-m", "flask", "--app", "app", "run", "--host", "127.0.0.1",
                           "--port", "@PORT@"], env=redis_env, cwd=flask_dir, kind="python",
                          note="bench/flask/app.py on `flask run` (Werkzeug, threaded), Debian python3-flask + python3-redis"))
    all_specs.append(Spec("flask-gunicorn", "original: Flask on gunicorn -w 4",
                          ["/usr/bin/gunicorn", "--workers", "4", "--bind", "127.0.0.1:@PORT@", "app:app"],
                          env=redis_env, cwd=flask_dir, kind="python",
                          note="the same app under Debian gunicorn, 4 sync workers as Flask's deployment docs show"))
    all_specs.append(Spec("node-ioredis", "Node http + ioredis (auto-pipelining)",
                          node, env=redis_env, kind="node",
                          note="bench/node/server.js: node:http, one ioredis 6.0.0 client with enableAutoPipelining, single process"))

    # Experiments: only with --only NAME or --experiments.
    for size in (8, 50):
        emb(f"exp-embedded-pool{size}", f"ours, embedded, REDIS_POOL_SIZE={size}",
            {**redis_env, "REDIS_POOL_SIZE": str(size)}, ours=True, note=f"pool of {size} instead of 200")
    emb("exp-embedded-java25", "ours, embedded, Java 25", redis_env, java=java25, ours=True,
        note="the same launcher on Temurin 25")
    emb("exp-embedded-serialgc", "ours, embedded, -XX:+UseSerialGC -Xmx64m", redis_env,
        jvm_opts=("-XX:+UseSerialGC", "-Xmx64m"), ours=True, note="small heap")
    # Request threads on both cores (REQUEST_THREADS; the rule gives 2 per processor, 4 here). wrk then
    # shares the second core with the server.
    for threads in (2, 4, 8):
        emb(f"exp-2cpu-threads{threads}", f"ours, embedded on both cores, REQUEST_THREADS={threads}",
            {**redis_env, "REQUEST_THREADS": str(threads)}, ours=True, cpus=f"{SERVER_CPU},{LOAD_CPU}",
            note=f"server on both CPUs (wrk shares CPU {LOAD_CPU}), {threads} request threads")
    emb("exp-2cpu-ceiling", "ceiling on both cores (rule: 4 threads)", {}, redis=False,
        cpus=f"{SERVER_CPU},{LOAD_CPU}", note="ceiling-embedded on both CPUs, request threads by the rule")
    # Issue 28: one request thread on the one core (the rule gives 2), to see the hand-offs a second thread adds.
    emb("exp-embedded-threads1", "ours, embedded, REQUEST_THREADS=1", {**redis_env, "REQUEST_THREADS": "1"}, ours=True,
        note="ours-embedded with one request thread instead of the rule's 2 per processor (issue 28)")
    # Issue 28: the Linux scheduling policy. The image runs under SCHED_BATCH (docker/tomcat/setenv.sh); these
    # rows measure that lever beside the same servers under the default policy, and give Node the same lever.
    image("exp-image-normal", "ours, as the image runs it, SCHED_BATCH=false", {**redis_env, "SCHED_BATCH": "false"},
          ours=True, note="ours-image under the default scheduling policy (SCHED_BATCH=false)")
    emb("exp-embedded-batch", "ours, embedded, under chrt --batch 0", redis_env, ours=True,
        prefix=batch, note="ours-embedded started as chrt --batch 0 java ...: SCHED_BATCH")
    all_specs.append(Spec("exp-node-batch", "Node http + ioredis under chrt --batch 0",
                          [*batch, *node], env=redis_env,
                          kind="node", note="node-ioredis started as chrt --batch 0 node ...: SCHED_BATCH"))
    # REDIS_WAIT_REPLICAS: the same server with and without one WAIT per batch, both with a replica attached.
    emb("exp-replica-nowait", "ours, embedded, Redis with a replica", redis_env, ours=True, replica=True,
        note="ours-embedded while the Redis has one replica (the replication stream's cost, no WAIT)")
    emb("exp-replica-wait1", "ours, embedded, REDIS_WAIT_REPLICAS=1", {**redis_env, "REDIS_WAIT_REPLICAS": "1"},
        ours=True, replica=True, note="one WAIT 1 after each coalesced INCRBY; the replica on the Redis core")
    emb("exp-embedded-tiered1", "ours, embedded, -XX:TieredStopAtLevel=1", redis_env,
        jvm_opts=("-XX:TieredStopAtLevel=1",), ours=True, note="C1 only, for start-up")
    emb("exp-embedded-accesslog", "ours, embedded, ACCESS_LOG=true", {**redis_env, "ACCESS_LOG": "true"}, ours=True,
        note="ours-embedded with Tomcat's JSON access log on standard output (issue 25)")
    war("exp-war-noaccesslog", "ours, WAR, no access log", redis_env, access_log=False, ours=True,
        note="stock server.xml without the AccessLogValve")
    war("exp-war-threads50", "ours, WAR, maxThreads=50", redis_env, attrs='maxThreads="50"', ours=True,
        note="connector maxThreads=50 (pool stays 200)")
    war("exp-war-threads8", "ours, WAR, maxThreads=8 + pool 8", {**redis_env, "REDIS_POOL_SIZE": "8"},
        attrs='maxThreads="8"', ours=True, note="connector maxThreads=8, REDIS_POOL_SIZE=8")
    war("exp-war-java25", "ours, WAR, Java 25", redis_env, java_home=TEMURIN_25, ours=True,
        note="stock Tomcat on Temurin 25, platform threads")
    war("exp-war-vthreads", "ours, WAR, Java 25 + virtual threads", redis_env, attrs='useVirtualThreads="true"',
        java_home=TEMURIN_25, ours=True, note="connector useVirtualThreads=true on Temurin 25")
    war("exp-war-vthreads-pool50", "ours, WAR, Java 25 + virtual threads + pool 50",
        {**redis_env, "REDIS_POOL_SIZE": "50"}, attrs='useVirtualThreads="true"', java_home=TEMURIN_25, ours=True,
        note="virtual threads with REDIS_POOL_SIZE=50")
    for tree_spec in ctx["trees"]:
        # --tree NAME=DIR[:K=V,...]: the embedded launcher of another work tree (a throwaway copy with
        # an app-side change under test), built there, against the same Redis.
        name, rest = tree_spec.split("=", 1)
        tree_dir, _, extra = rest.partition(":")
        tree_env = dict(kv.split("=", 1) for kv in extra.split(",") if kv)
        tree_java = tree_env.pop("JAVA", java17)
        uses_redis = tree_env.pop("NO_REDIS", "false") != "true"
        tree_cp = f"{tree_dir}/target/classes:{Path(tree_dir, 'bench/out/classpath.txt').read_text().strip()}"
        all_specs.append(Spec(f"exp-{name}", f"experiment {name}",
                              [tree_java, "-classpath", tree_cp, "dev.hitcounter.EmbeddedLauncher"],
                              env={**(redis_env if uses_redis else {}), **tree_env}, redis=uses_redis, kind="java",
                              ours=uses_redis, note=f"embedded launcher of {tree_dir} with {extra or 'no extra env'}"))
    # --badges only: the badge without the unique-visitor HyperLogLogs, to see what they cost.
    emb("badges-no-uniques", "ours, embedded, UNIQUE_VISITORS=false", {**redis_env, "UNIQUE_VISITORS": "false"},
        ours=True, note="ours-embedded with UNIQUE_VISITORS=false: a badge view is only its page's INCRBY")
    # Issue 22: the same server in cluster mode; REDIS_URL is set to a seed node once its cluster is up.
    emb("exp-cluster3", "ours, embedded, 3-primary Redis Cluster", {"COUNTER_KEY": KEY, "REDIS_CLUSTER": "true"},
        ours=True, cluster=True,
        note="ours-embedded with REDIS_CLUSTER=true against a Redis Cluster of 3 primaries, no replicas, on the Redis core")
    # --badges only: views per day (on by default) and COUNT_ONCE_PER, which decides each view in the script.
    emb("badges-days-once", "ours, embedded, COUNT_ONCE_PER=30m", {**redis_env, "COUNT_ONCE_PER": "30m"},
        ours=True, once=True, note="ours-embedded with COUNT_ONCE_PER=30m (and the views per day, on by default): "
        "each badge view is also looked up in its page's window (issue 24)")
    war("exp-ceiling-war-java25", "ceiling: WAR, no Redis, Java 25", {}, java_home=TEMURIN_25, redis=False,
        note="ceiling-war on Temurin 25")
    return {s.name: s for s in all_specs}


DEFAULT_SET = ["ours-embedded", "ours-embedded-no-coalesce", "ours-war", "ours-image", "ceiling-embedded",
               "ceiling-war", "ceiling-image",
               "flask-dev", "flask-gunicorn", "node-ioredis"]
BADGE_SET = ["ours-embedded", "badges-no-uniques"]


# ---------------------------------------------------------------- one server: start, warm up, measure

@contextlib.contextmanager
def store_for(spec, redis):
    """The Redis a server counts in: the one Redis, or for a cluster spec a cluster started now and stopped after."""
    if not spec.cluster:
        yield redis
        return
    # Ports below 22768, so that the bus ports (port + 10000) too stay below Linux's ephemeral range.
    cluster = RedisCluster(21379)
    print(f"   Redis Cluster of {len(cluster.nodes)} primaries on ports "
          f"{', '.join(str(n.port) for n in cluster.nodes)}", flush=True)
    spec.env["REDIS_URL"] = cluster.seed_url
    try:
        yield cluster
    finally:
        cluster.stop()


def start_server(spec, port, base_env):
    env = {**base_env, **spec.env, "PORT": str(port)}
    if spec.prepare:
        spec.prepare(port, env)
    argv = [a.replace("@PORT@", str(port)) for a in spec.argv]
    log = OUT / "logs" / f"{spec.name}.log"
    began = time.monotonic()
    proc = spawn(argv, env=env, cwd=spec.cwd, log=log, cpu=spec.cpus)
    deadline = began + 120
    while True:
        status, body = http_get(port, timeout=1.0)
        if status == 200:
            startup = time.monotonic() - began
            break
        if proc.poll() is not None:
            raise RuntimeError(f"{spec.name} exited with {proc.returncode} before answering; see {log}")
        if time.monotonic() > deadline:
            stop(proc)
            raise RuntimeError(f"{spec.name} gave no 200 on / within 120 s; see {log}")
        time.sleep(0.005)
    if not PAGE_RE.search(body or b""):
        stop(proc)
        raise RuntimeError(f"{spec.name} answered GET / with something else than the page: {body[:200]!r}")
    return proc, startup


def wrk(port, connections, seconds, path="/"):
    script = BENCH / "wrk" / "count.lua"
    argv = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "2s",
            "-s", str(script), f"http://127.0.0.1:{port}{path}"]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON "):])
    raise RuntimeError(f"wrk printed no result (exit {done.returncode}): {done.stdout} {done.stderr}")


def measured_run(spec, proc, port, redis, connections, seconds, path="/", key=KEY):
    pids = tree(proc.pid)
    peak = [rss_kib(pids)]
    stop_sampling = threading.Event()
    # Context switches of every thread of the server's process tree: the last count seen of each thread, so that
    # a thread or worker that ends during the run (a Flask connection thread) keeps what it had 250 ms before.
    seen = {}

    def sample():
        while not stop_sampling.wait(0.25):
            now = tree(proc.pid)
            peak[0] = max(peak[0], rss_kib(now))
            seen.update(switches(now))

    before = redis.settled_views(key=key) if spec.redis else None
    if spec.redis:
        redis.command("CONFIG", "RESETSTAT")
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.monotonic()
    switches0, redis_switches0 = switches(tree(proc.pid)), switches(redis.pids)
    server0, redis0, jit0 = cpu_ticks(tree(proc.pid)), cpu_ticks(redis.pids), jit_ticks(proc.pid)
    all0, core0 = machine_busy_ticks()
    self0, kids0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    result = wrk(port, connections, seconds, path)
    server1, redis1, jit1 = cpu_ticks(tree(proc.pid)), cpu_ticks(redis.pids), jit_ticks(proc.pid)
    seen.update(switches(tree(proc.pid)))
    redis_switches1 = switches(redis.pids)
    all1, core1 = machine_busy_ticks()
    self1, kids1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.monotonic() - t0
    stop_sampling.set()
    sampler.join()
    calls = redis.command_calls() if spec.redis else {}
    after = redis.settled_views(key=key) if spec.redis else None

    def pct(ticks):
        return 100.0 * ticks / CLK / wall

    def usage(a, b):
        return (b.ru_utime - a.ru_utime) + (b.ru_stime - a.ru_stime)

    server_ticks, redis_ticks = server1 - server0, redis1 - redis0
    wrk_s, self_s = usage(kids0, kids1), usage(self0, self1)
    others_all = pct(all1 - all0 - server_ticks - redis_ticks) - 100.0 * (wrk_s + self_s) / wall
    others_core = pct(core1 - core0 - server_ticks - redis_ticks)
    ok = result["ok"]
    errors = sum(result[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts"))
    run = {
        "connections": connections, "path": path,
        "rps": result["requests"] / (result["duration_us"] / 1e6),
        "p50_ms": result["p50_us"] / 1000, "p90_ms": result["p90_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000, "max_ms": result["max_us"] / 1000,
        "requests": result["requests"], "ok": ok, "non2xx": result["bad"], "socket_errors": errors,
        "server_cpu": pct(server_ticks), "redis_cpu": pct(redis_ticks) if spec.redis else None,
        "others_cpu": max(0.0, others_all), "others_on_server_core": max(0.0, others_core),
        "peak_rss_mib": peak[0] / 1024, "jit_cpu": pct(jit1 - jit0),
    }
    run["cpu_us_per_req"] = (run["server_cpu"] + (run["redis_cpu"] or 0)) * 1e4 / run["rps"] if run["rps"] else None
    run["server_cpu_us_per_req"] = run["server_cpu"] * 1e4 / run["rps"] if run["rps"] else None
    # Switches per answered request (issue 28): all threads of the server's process tree, and Redis apart.
    by_thread = {}
    full_names = java_thread_names(proc.pid) if spec.kind == "java" else {}
    for tid, (name, n) in seen.items():
        name = full_names.get(tid, name)
        grown = n - switches0.get(tid, (name, 0))[1]
        if grown > 0:
            by_thread[name] = by_thread.get(name, 0) + grown
    run["switches_per_req"] = sum(by_thread.values()) / ok if ok else None
    run["switches_by_thread"] = dict(sorted(by_thread.items(), key=lambda t: -t[1]))
    run["sched_policy"] = sched_policy(proc.pid)
    redis_grown = sum(n for _, n in redis_switches1.values()) - sum(n for _, n in redis_switches0.values())
    run["redis_switches_per_req"] = redis_grown / ok if ok and spec.redis else None
    # Redis commands per answered request, those run inside scripts included (the harness's own INFO
    # and CONFIG are left out; its few GETs of the counter are noise).
    calls = {name: n for name, n in calls.items() if name not in ("info", "config|resetstat", "config")}
    run["redis_calls_per_req"] = {name: n / ok for name, n in sorted(calls.items(), key=lambda c: -c[1])} if ok else {}
    problems = []
    if ok == 0:
        problems.append("no 2xx response at all")
    if result["bad"]:
        problems.append(f"{result['bad']} non-2xx responses")
    if errors:
        problems.append(f"{errors} socket errors/timeouts")
    if spec.redis:
        delta = after - before
        run.update(redis_delta=delta, in_flight=delta - ok)
        # Every 2xx wrk counted was one INCR; at most one request per connection was still in flight
        # (sent, counted by Redis, its answer not read) when wrk stopped.
        if spec.once and key == BADGE_KEY:
            if not 0 <= delta <= 1:
                problems.append(f"Redis counter grew by {delta} for one visitor within COUNT_ONCE_PER")
        elif not ok <= delta <= ok + connections:
            problems.append(f"Redis counter grew by {delta}, wrk counted {ok} 2xx with {connections} connections")
    run["correct"] = not problems
    run["problems"] = problems
    return run


def sched_policy(pid):
    """The Linux scheduling policy the server's process runs under (issue 28: the image runs SCHED_BATCH)."""
    names = {"0": "SCHED_OTHER", "3": "SCHED_BATCH", "5": "SCHED_IDLE"}
    try:
        text = Path(f"/proc/{pid}/sched").read_text()
    except OSError:
        return None
    found = re.search(r"^policy\s*:\s*(\d+)", text, re.M)
    return names.get(found.group(1), found.group(1)) if found else None


def bench_round(spec, port, redis, args, base_env, rnd, result):
    """One round of one server: timed cold starts, warm-up, then one wrk run per connection count."""
    print(f"== round {rnd}: {spec.name} on port {port}", flush=True)
    for _ in range(args.start_reps - 1):
        proc, startup = start_server(spec, port, base_env)
        result["startup_s"].append(startup)
        stop(proc)
    proc, startup = start_server(spec, port, base_env)
    result["startup_s"].append(startup)
    print(f"   start to first 200: {', '.join(f'{s:.2f}' for s in result['startup_s'][-args.start_reps:])} s",
          flush=True)
    try:
        for connections in args.connections:
            wrk(port, connections, args.warmup)
        if spec.kind == "java":
            # On one shared core C2 can still be compiling Tomcat's request path long after a fixed
            # warm-up: keep warming until the JIT threads are nearly idle, so that every JVM is
            # measured in its steady state.
            extra, jit = 0, float("nan")
            while extra < args.max_jit_warmup:
                j0, t0 = jit_ticks(proc.pid), time.monotonic()
                wrk(port, max(args.connections), args.warmup)
                extra += args.warmup
                jit = 100.0 * (jit_ticks(proc.pid) - j0) / CLK / (time.monotonic() - t0)
                if jit < 2.0:
                    break
            print(f"   warmed {len(args.connections) * args.warmup + extra} s (JIT {jit:.1f}% of a core at the end)",
                  flush=True)
        for connections in args.connections:
            run = measured_run(spec, proc, port, redis, connections, args.duration)
            run["rep"] = rnd
            result["runs"].append(run)
            flag = "ok" if run["correct"] else "FAILED: " + "; ".join(run["problems"])
            print(f"   c{connections:<3} {run['rps']:9.0f} req/s  p50 {run['p50_ms']:6.2f} ms"
                  f"  p99 {run['p99_ms']:6.2f} ms  server {run['server_cpu']:5.1f}%"
                  f"  redis {run['redis_cpu'] or 0:5.1f}%  others {run['others_cpu']:5.1f}%"
                  f"  rss {run['peak_rss_mib']:6.1f} MiB  jit {run['jit_cpu']:4.1f}%"
                  f"  {run['server_cpu_us_per_req'] or 0:5.1f} server µs/req  {run['switches_per_req'] or 0:5.2f} cs/req"
                  f"  {flag}", flush=True)
            top = list(run["switches_by_thread"].items())[:6]
            print("        switches/req by thread: " + ", ".join(f"{name} {n / max(run['ok'], 1):.3f}"
                                                                for name, n in top), flush=True)
    finally:
        stop(proc)


def badge_round(spec, port, redis, args, base_env, result):
    """--badges: one server started once, warmed on both paths, then measured on `/` and on the badge in
    alternating order (`/` first in odd rounds, the badge first in even ones), so that both see the same
    JVM, the same Redis and, as nearly as a shared machine allows, the same load."""
    print(f"== {spec.name} on port {port}: GET / and GET {BADGE_PATH}", flush=True)
    proc, startup = start_server(spec, port, base_env)
    result["startup_s"].append(startup)
    paths = ["/", BADGE_PATH]
    try:
        status, body = http_get(port, path=BADGE_PATH)
        if status != 200 or not (body or b"").startswith(b"<svg"):
            raise RuntimeError(f"{spec.name} answered GET {BADGE_PATH} with {status}: {(body or b'')[:200]!r}")
        for connections in args.connections:
            for path in paths:
                wrk(port, connections, args.warmup, path)
        if spec.kind == "java":
            extra, jit = 0, float("nan")
            while extra < args.max_jit_warmup:
                j0, t0 = jit_ticks(proc.pid), time.monotonic()
                for path in paths:
                    wrk(port, max(args.connections), args.warmup, path)
                extra += len(paths) * args.warmup
                jit = 100.0 * (jit_ticks(proc.pid) - j0) / CLK / (time.monotonic() - t0)
                if jit < 2.0:
                    break
            print(f"   warmed {len(args.connections) * len(paths) * args.warmup + extra} s "
                  f"(JIT {jit:.1f}% of a core at the end)", flush=True)
        for rnd in range(1, args.reps + 1):
            for connections in args.connections:
                for path in paths if rnd % 2 else paths[::-1]:
                    run = measured_run(spec, proc, port, redis, connections, args.duration, path,
                                       KEY if path == "/" else BADGE_KEY)
                    run["rep"] = rnd
                    result["runs"].append(run)
                    flag = "ok" if run["correct"] else "FAILED: " + "; ".join(run["problems"])
                    print(f"   round {rnd} c{connections:<3} {path:18} {run['rps']:9.0f} req/s"
                          f"  {run['cpu_us_per_req'] or 0:5.0f} CPU µs/req"
                          f"  p99 {run['p99_ms']:6.2f} ms  server {run['server_cpu']:5.1f}%"
                          f"  redis {run['redis_cpu'] or 0:5.1f}%  others {run['others_cpu']:5.1f}%"
                          f"  redis cmds/req {sum(run['redis_calls_per_req'].values()):.3f}  {flag}", flush=True)
    finally:
        stop(proc)


def badge_ratios(result, connections, key="rps"):
    """Badge over `/`, one per round (the two runs of a round ran back to back): req/s with key "rps"; with
    "cpu_us_per_req", `/`'s CPU per request over the badge's, the req/s ratio the two would have on a core of
    their own, which other load on the machine moves much less."""
    ratios = []
    for rnd in sorted({r["rep"] for r in result["runs"]}):
        value = {r["path"]: r[key] for r in result["runs"] if r["rep"] == rnd and r["connections"] == connections}
        if value.get("/") and value.get(BADGE_PATH):
            ratios.append(value[BADGE_PATH] / value["/"] if key == "rps" else value["/"] / value[BADGE_PATH])
    return ratios


def calls_text(runs):
    """Mean Redis commands per request over the runs, in total and per command."""
    names = {}
    for run in runs:
        for name, n in run.get("redis_calls_per_req", {}).items():
            names[name] = names.get(name, 0) + n / len(runs)
    if not names:
        return "–"
    parts = ", ".join(f"{name} {n:.3f}" for name, n in sorted(names.items(), key=lambda c: -c[1]) if n >= 0.0005)
    return f"{sum(names.values()):.3f} ({parts})"


def badge_markdown(meta, results, args):
    lines = [f"Run of {meta['date']} on {meta['machine']}, commit {meta['commit']}.", "",
             f"Command: `{meta['command']}` (wall time {meta['wall_s'] / 60:.1f} min). Load average (1, 5, 15 min) "
             f"{meta['load_before']} before and {meta['load_after']} after: the machine is shared with other "
             "engineers' builds and tests, so absolute req/s move from run to run; the ratio of two runs side by "
             "side moves much less.", "",
             f"wrk `-t1`, {args.duration} s per run, {args.reps} rounds per server after warm-up on both paths; in a "
             f"round `/` and `{BADGE_PATH}` run back to back on the same server and Redis (`/` first in odd rounds, "
             "the badge first in even ones). Server and Redis on CPU 0, wrk on CPU 1. Medians over the rounds; "
             "'Redis cmds/req' is from `INFO commandstats` over each run (commands inside scripts included) divided "
             "by the 2xx count.", ""]
    for connections in args.connections:
        lines += [f"### {connections} connection{'s' if connections > 1 else ''}", "",
                  "| server | path | req/s (range) | p50 ms | p99 ms | server CPU % | Redis CPU % | CPU µs/req "
                  "| ctx switches/req | Redis cmds/req | others CPU % | checks |",
                  "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |"]
        for r in results:
            for path in ("/", BADGE_PATH):
                s = summarize(r, connections, path)
                if not s:
                    continue
                runs = [run for run in r["runs"] if run["connections"] == connections and run["path"] == path]
                lines.append(f"| {r['name']} | `{path}` | {fmt(s['rps'])} ({fmt(s['rps_min'])}–{fmt(s['rps_max'])}) | "
                             f"{fmt(s['p50_ms'], 2)} | {fmt(s['p99_ms'], 2)} | {fmt(s['server_cpu'])} | "
                             f"{fmt(s['redis_cpu'])} | {fmt(s['cpu_us'])} | {fmt(s['switches'], 2)} | {calls_text(runs)} | "
                             f"{fmt(s['others_cpu'])} | {'pass' if s['correct'] else '**FAIL**'} ({s['n']} runs) |")
        lines += ["", f"| server | badge ÷ `/` req/s, per round | median | goal ≥ {BADGE_GOAL} "
                      "| `/` ÷ badge CPU µs/req, per round | median |",
                  "| --- | --- | ---: | --- | --- | ---: |"]
        for r in results:
            ratios, by_cpu = badge_ratios(r, connections), badge_ratios(r, connections, "cpu_us_per_req")
            if ratios:
                median = statistics.median(ratios)
                lines.append(f"| {r['name']} | {', '.join(f'{x:.2f}' for x in ratios)} | {median:.2f} | "
                             f"{'met' if median >= BADGE_GOAL else '**not met**'} | "
                             f"{', '.join(f'{x:.2f}' for x in by_cpu)} | "
                             f"{statistics.median(by_cpu) if by_cpu else float('nan'):.2f} |")
        lines.append("")
    lines += ["### Every run", "",
              "| server | conns | round | path | req/s | p99 ms | 2xx | Redis +N | others CPU % | result |",
              "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in results:
        for run in r["runs"]:
            lines.append(f"| {r['name']} | {run['connections']} | {run['rep']} | `{run['path']}` | {fmt(run['rps'])} | "
                         f"{fmt(run['p99_ms'], 2)} | {run['ok']} | {run.get('redis_delta', '–')} | "
                         f"{fmt(run['others_cpu'])} | "
                         f"{'pass' if run['correct'] else '**FAIL**: ' + '; '.join(run['problems'])} |")
    lines += ["", "| server | what it is |", "| --- | --- |"]
    for r in results:
        lines.append(f"| {r['name']} | {r['note']} |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- summary, targets, docs

def summarize(result, connections, path=None):
    runs = [r for r in result["runs"] if r["connections"] == connections and path in (None, r.get("path", "/"))]
    if not runs:
        return None

    def med(key):
        values = [r[key] for r in runs if r.get(key) is not None]
        return statistics.median(values) if values else None
    return {
        "rps": med("rps"), "rps_min": min(r["rps"] for r in runs), "rps_max": max(r["rps"] for r in runs),
        "p50_ms": med("p50_ms"), "p99_ms": med("p99_ms"), "server_cpu": med("server_cpu"),
        "redis_cpu": med("redis_cpu"), "others_cpu": med("others_cpu"), "cpu_us": med("cpu_us_per_req"),
        "server_cpu_us": med("server_cpu_us_per_req"), "switches": med("switches_per_req"),
        "peak_rss_mib": max(r["peak_rss_mib"] for r in runs),
        "correct": all(r["correct"] for r in runs), "n": len(runs),
    }


def targets(results, high):
    by = {r["name"]: r for r in results}

    def rps(name):
        s = summarize(by[name], high) if name in by else None
        return s["rps"] if s else None

    rows = []
    ours = [r for r in results if r["ours"]]
    for r in ours:
        s = summarize(r, high)
        if not s:
            continue
        name = r["name"]
        ceiling = "ceiling-war" if "war" in name else "ceiling-image" if "image" in name else "ceiling-embedded"
        checks = []
        if rps(ceiling):
            checks.append((f"≥ 0.85 × {ceiling} at {high} conns", s["rps"] / rps(ceiling), 0.85, "×"))
        if rps("flask-dev"):
            checks.append((f"≥ 10 × flask-dev at {high} conns", s["rps"] / rps("flask-dev"), 10, "×"))
        if rps("node-ioredis"):
            checks.append((f"≥ 1.0 × node-ioredis at {high} conns", s["rps"] / rps("node-ioredis"), 1.0, "×"))
        checks.append((f"p99 ≤ 10 ms at {high} conns", s["p99_ms"], 10, "ms"))
        checks.append(("peak RSS under load ≤ 300 MB", s["peak_rss_mib"] * 1.048576, 300, "MB"))
        if name == "ours-image":
            # Issue 28's goals, for GET / as the image runs it.
            if rps("node-ioredis"):
                checks.append((f"≥ 1.2 × node-ioredis at {high} conns (issue 28)", s["rps"] / rps("node-ioredis"),
                               1.2, "×"))
            checks.append((f"p99 ≤ 3 ms at {high} conns (issue 28)", s["p99_ms"], 3, "ms"))
            checks.append((f"≤ 0.3 context switches per request at {high} conns (issue 28)", s["switches"], 0.3,
                           "per request"))
            one, node_one = summarize(r, 1), summarize(by["node-ioredis"], 1) if "node-ioredis" in by else None
            if one and node_one:
                checks.append(("p50 at 1 conn ≤ node-ioredis's (issue 28)", one["p50_ms"], node_one["p50_ms"], "ms"))
        if "embedded" in name and r["startup_s"]:
            checks.append(("start to first 200 ≤ 1.5 s", statistics.median(r["startup_s"]), 1.5, "s"))
        for what, value, limit, unit in checks:
            met = value >= limit if unit == "×" else value <= limit
            rows.append({"server": name, "target": what, "value": value, "unit": unit, "met": met})
    return rows


def fmt(value, digits=0):
    return "–" if value is None else f"{value:,.{digits}f}"


def markdown(meta, results, args):
    lines = [f"Run of {meta['date']} on {meta['machine']}.", "",
             f"Command: `{meta['command']}` (wall time {meta['wall_s'] / 60:.1f} min).", "",
             "| what | value |", "| --- | --- |"]
    for key in ("commit", "cpu", "kernel", "load_before", "load_after", "java", "java25", "tomcat", "redis",
                "node", "ioredis", "python", "flask", "redis_py", "gunicorn", "wrk"):
        lines.append(f"| {key.replace('_', ' ')} | {meta.get(key, '–')} |")
    lines += ["", f"wrk: `-t1`, {args.duration} s per run, {args.reps} round(s), after {args.warmup} s of warm-up "
              f"at each connection count. Server and Redis pinned to CPU {SERVER_CPU}, wrk to CPU {LOAD_CPU}. "
              "Each round starts every server afresh, in turn. Figures are medians over the rounds; CPU is % of one core "
              "over the run; CPU µs/req is (server + Redis) CPU time per request, the figure least moved by other "
              "load, and server CPU µs/req the server's part of it; ctx switches/req is the voluntary + involuntary "
              "context switches of every thread of the server's process tree (/proc/<pid>/task/*/status, Redis not "
              "included) per request; 'others' is what the rest of the machine (other users' jobs) used of the two "
              "cores meanwhile.", ""]
    for connections in args.connections:
        lines += [f"### {connections} connection{'s' if connections > 1 else ''}", "",
                  "| server | req/s (range) | p50 ms | p99 ms | server CPU % | Redis CPU % | CPU µs/req | server CPU µs/req "
                  "| ctx switches/req | peak RSS MiB | others CPU % | checks |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
        for r in results:
            s = summarize(r, connections)
            if not s:
                continue
            lines.append(f"| {r['name']} | {fmt(s['rps'])} ({fmt(s['rps_min'])}–{fmt(s['rps_max'])}) | "
                         f"{fmt(s['p50_ms'], 2)} | {fmt(s['p99_ms'], 2)} | {fmt(s['server_cpu'])} | "
                         f"{fmt(s['redis_cpu'])} | {fmt(s['cpu_us'])} | {fmt(s['server_cpu_us'])} | "
                         f"{fmt(s['switches'], 2)} | {fmt(s['peak_rss_mib'])} | {fmt(s['others_cpu'])} | "
                         f"{'pass' if s['correct'] else '**FAIL**'} ({s['n']} runs) |")
        lines.append("")
    lines += ["### Start to first 200 on `/`", "",
              "From process spawn (pinned to one core) to the first 200 answer to `GET /`.", "",
              "| server | seconds |", "| --- | --- |"]
    for r in results:
        lines.append(f"| {r['name']} | {', '.join(f'{s:.2f}' for s in r['startup_s'])} |")
    rows = targets(results, max(args.connections))
    if rows:
        lines += ["", "### Targets", "", "| server | target | measured | met |", "| --- | --- | ---: | --- |"]
        for t in rows:
            value = f"{t['value']:.2f} {t['unit']}"
            lines.append(f"| {t['server']} | {t['target']} | {value} | {'yes' if t['met'] else '**no**'} |")
    lines += ["", "### Every run", "",
              "A run passes when wrk saw no non-2xx and no socket error, and the Redis counter grew by the "
              "2xx count plus at most one in-flight request per connection.", "",
              "| server | conns | round | req/s | 2xx | Redis +N | in flight | JIT CPU % | others on CPU 0 % | result |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in results:
        for run in r["runs"]:
            lines.append(f"| {r['name']} | {run['connections']} | {run['rep']} | {fmt(run['rps'])} | {run['ok']} | "
                         f"{run.get('redis_delta', '–')} | {run.get('in_flight', '–')} | "
                         f"{fmt(run['jit_cpu'], 1)} | {fmt(run['others_on_server_core'])} | "
                         f"{'pass' if run['correct'] else '**FAIL**: ' + '; '.join(run['problems'])} |")
    lines += ["", "### Servers", "", "| server | what it is |", "| --- | --- |"]
    for r in results:
        lines.append(f"| {r['name']} | {r['note']} |")
    return "\n".join(lines) + "\n"


def chart(results, args, path, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [r["name"] for r in results]
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.55 * len(names) + 2.2), sharey=True)
    for ax, (key, label) in zip(axes, (("rps", "requests per second"), ("p99_ms", "p99 latency (ms)"))):
        height = 0.8 / len(args.connections)
        for i, connections in enumerate(args.connections):
            values = [(summarize(r, connections) or {}).get(key) or 0 for r in results]
            ys = [n + i * height for n in range(len(names))]
            bars = ax.barh(ys, values, height=height, label=f"{connections} conn")
            for bar, value in zip(bars, values):
                text = f"{value:,.0f}" if key == "rps" else f"{value:.2f}"
                ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, " " + text, va="center", fontsize=7)
        ax.set_xlabel(label)
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlim(0, ax.get_xlim()[1] * 1.15)
    axes[0].set_yticks([n + 0.4 - 0.4 / len(args.connections) for n in range(len(names))])
    axes[0].set_yticklabels(names)
    axes[0].invert_yaxis()
    axes[0].legend(loc="lower right")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_doc(section, begin=BEGIN, end=END):
    if DOC.exists():
        text = DOC.read_text()
    else:
        text = f"# Benchmarks\n\n## Latest run\n\n{BEGIN}\n{END}\n"
    if begin not in text or end not in text:
        raise SystemExit(f"{DOC} lacks the markers {begin} … {end}")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    DOC.write_text(f"{head}{begin}\n{section}{end}{tail}")


# ---------------------------------------------------------------- versions and machine

def first_line(argv, stderr=False):
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
        text = (done.stderr if stderr else done.stdout) or done.stdout or done.stderr
        return text.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "–"


def metadata(ctx, args):
    cpu = "–"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src", "pom.xml"],
                           capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h %s"],
                            capture_output=True, text=True).stdout.strip()
    py = "import flask, redis, importlib.metadata as m; print(m.version('flask'), redis.__version__)"
    flask_v, redis_py = (first_line(["/usr/bin/python3", "-c", py]).split() + ["–", "–"])[:2]
    ioredis = json.loads((BENCH / "node" / "node_modules" / "ioredis" / "package.json").read_text())["version"]
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.system()} {platform.release()}",
        "cpu": cpu, "kernel": platform.release(),
        "commit": commit + (" (src or pom.xml modified)" if dirty else ""),
        "command": ctx["command"],
        "java": first_line(["java", "-version"], stderr=True),
        "java25": first_line([f"{TEMURIN_25}/bin/java", "-version"], stderr=True),
        "tomcat": ctx["tomcat_home"].name,
        "redis": first_line(["redis-server", "--version"]),
        "node": first_line(["node", "--version"]), "ioredis": ioredis,
        "python": first_line(["/usr/bin/python3", "--version"]), "flask": flask_v, "redis_py": redis_py,
        "gunicorn": first_line(["/usr/bin/gunicorn", "--version"]),
        "wrk": first_line(["wrk", "--version"]).split(" [")[0],
        "load_before": " ".join(open("/proc/loadavg").read().split()[:3]),
    }


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smoke test: 1 repetition of 3 s, 2 s warm-up")
    parser.add_argument("--only", help="comma-separated server names (default: the measured set)")
    parser.add_argument("--experiments", action="store_true", help="also run every exp-* server")
    parser.add_argument("--list", action="store_true", help="list the servers and exit")
    parser.add_argument("--reps", type=int, default=2, help="rounds: each starts every server afresh")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of wrk warm-up per connection count")
    parser.add_argument("--connections", help="comma-separated connection counts (default 1,50; 50 with --badges)")
    parser.add_argument("--badges", action="store_true",
                        help=f"GET {BADGE_PATH} against GET / on the same server, alternating (default servers: "
                             f"{', '.join(BADGE_SET)})")
    parser.add_argument("--max-jit-warmup", type=int, default=60,
                        help="most extra seconds of warm-up while a JVM's JIT is still busy")
    parser.add_argument("--start-reps", type=int, default=2, help="cold starts timed per server and round")
    parser.add_argument("--no-docs", action="store_true", help="write bench/out only, not docs/")
    parser.add_argument("--tree", action="append", default=[], metavar="NAME=DIR[:K=V,...]",
                        help="also run the embedded app of another built work tree as exp-NAME (repeatable)")
    parser.add_argument("--wait-quiet", type=float, default=0, metavar="LOAD",
                        help="first wait (up to 30 min) until the 1-minute load average is below LOAD")
    parser.add_argument("--tag", default="", help="suffix for the bench/out result files")
    args = parser.parse_args()
    if args.quick:
        args.reps, args.duration, args.warmup, args.start_reps, args.max_jit_warmup = 1, 3, 2, 1, 0
    args.connections = [int(c) for c in (args.connections or ("50" if args.badges else "1,50")).split(",")]

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    os.sched_setaffinity(0, {int(LOAD_CPU)})
    (OUT / "logs").mkdir(parents=True, exist_ok=True)
    began = time.monotonic()

    # Below Linux's ephemeral range (32768-60999), so that no client socket on the machine (ours or
    # anyone's) can be holding a server's port when it starts.
    redis_port = free_port(23379)
    src = "\n".join(p.read_text() for p in (ROOT / "src" / "main").rglob("*.java"))
    ctx = {
        "classpath": f"{ROOT / 'target' / 'classes'}:{(OUT / 'classpath.txt').read_text().strip()}",
        "tomcat_home": Path(os.environ["BENCH_TOMCAT_HOME"]),
        "redis_port": redis_port,
        "coalesce": "REDIS_COALESCE" in src,
        "command": os.environ.get("BENCH_COMMAND", "bench/run.sh"),
        "trees": args.tree,
    }
    every = specs(ctx)
    if args.list:
        for spec in every.values():
            print(f"{spec.name:28} {spec.note}")
        return 0
    if args.only:
        names = args.only.split(",")
        unknown = [n for n in names if n not in every]
        if unknown:
            raise SystemExit(f"unknown server(s): {', '.join(unknown)}; see --list")
    else:
        names = [n for n in (BADGE_SET if args.badges else DEFAULT_SET) if n in every]
        if args.experiments and not args.badges:
            names += [n for n in every if n.startswith("exp-")]
    if args.wait_quiet:
        deadline = time.monotonic() + 1800
        while float(open("/proc/loadavg").read().split()[0]) >= args.wait_quiet and time.monotonic() < deadline:
            print(f"waiting for a quieter machine: load average {open('/proc/loadavg').read().split()[0]}", flush=True)
            time.sleep(30)
    meta = metadata(ctx, args)
    base_env = {k: v for k, v in os.environ.items()
                if k not in ("REDIS_URL", "COUNTER_KEY", "PORT", "JAVA_HOME", "JAVA_TOOL_OPTIONS", "CATALINA_OPTS",
                             "JAVA_OPTS", "CATALINA_BASE", "CATALINA_HOME") and not k.startswith("REDIS_")}
    base_env["JAVA_HOME"] = os.environ.get("BENCH_JAVA_HOME", "")
    if not base_env["JAVA_HOME"]:
        del base_env["JAVA_HOME"]

    results = [{"name": n, "label": every[n].label, "note": every[n].note, "ours": every[n].ours,
                "redis": every[n].redis, "startup_s": [], "runs": []} for n in names]
    broken = set()
    try:
        redis = Redis(redis_port, OUT / "logs" / "redis.log")
        print(f"redis-server on port {redis_port}; load average {meta['load_before']}", flush=True)
        if any(every[n].replica for n in names):
            Redis(free_port(redis_port + 1), OUT / "logs" / "redis-replica.log", replica_of=redis_port)
            print("   with a replica: every server of this run counts in a Redis that replicates", flush=True)
        # Rounds rather than all repetitions of one server at once: a burst of load from someone
        # else on this shared machine then hits several servers a little instead of one a lot.
        # --badges makes its rounds inside one start of each server, so that `/` and the badge share it.
        for rnd in range(1, 2 if args.badges else args.reps + 1):
            for name, result in zip(names, results):
                if name in broken:
                    continue
                try:
                    port = free_port(23400 + names.index(name))
                    with store_for(every[name], redis) as store:
                        if args.badges:
                            badge_round(every[name], port, store, args, base_env, result)
                        else:
                            bench_round(every[name], port, store, args, base_env, rnd, result)
                except RuntimeError as e:
                    print(f"   FAILED: {e}", flush=True)
                    broken.add(name)
    finally:
        stop_all()
    failed = bool(broken)
    meta["load_after"] = " ".join(open("/proc/loadavg").read().split()[:3])
    meta["wall_s"] = time.monotonic() - began
    failed = failed or any(not run["correct"] for r in results for run in r["runs"])

    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S") + (f"-{args.tag}" if args.tag else "")
    if args.badges:
        stamp += "-badges"
        (OUT / f"results-{stamp}.json").write_text(
            json.dumps({"meta": meta, "args": vars(args), "results": results}, indent=1))
        section = badge_markdown(meta, results, args)
        (OUT / f"results-{stamp}.md").write_text(section)
        print(f"\nwrote {OUT / f'results-{stamp}.md'}")
        if not args.no_docs:
            write_doc(section, BADGE_BEGIN, BADGE_END)
            print(f"wrote the Badges section of {DOC}")
        print(f"wall time {meta['wall_s']:.0f} s")
        return 1 if failed else 0
    (OUT / f"results-{stamp}.json").write_text(json.dumps({"meta": meta, "args": vars(args), "results": results},
                                                          indent=1))
    section = markdown(meta, results, args)
    (OUT / f"results-{stamp}.md").write_text(section)
    chart_path = OUT / f"chart-{stamp}.png"
    title = f"hit-counter GET / — {meta['date']}, {meta['machine'].split(' (')[0]}, server+Redis on 1 core, wrk on the other"
    chart(results, args, chart_path, title)
    print(f"\nwrote {OUT / f'results-{stamp}.md'} and {chart_path}")
    if not args.no_docs:
        shutil.copy(chart_path, CHART)
        write_doc(section + f"\n![req/s and p99 per server]({CHART.name})\n\n")
        print(f"wrote {DOC} and {CHART}")
    print(f"wall time {meta['wall_s']:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
