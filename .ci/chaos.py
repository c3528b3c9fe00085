#!/usr/bin/env python3
"""The chaos soak of issue 26, started by .ci/chaos.sh: real processes on loopback (Redis data nodes with the
append-only file, three Sentinels, the embedded app more than once, HAProxy with docker/haproxy/haproxy.cfg's own
rules), keep-alive clients through the proxy, and faults one at a time from a schedule made from --seed. Every
answer is recorded; then the checks (no 500, distinct counts, no acknowledged view lost, Retry-After on every 503,
the time from each fault to the next 200 against the goals in docs/operations.md), a table per fault kind, and exit
status 1 when a check fails. Everything it starts is stopped when it ends, also on failure or SIGTERM."""
import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

MASTER = "mymaster"
# The data nodes' and Sentinels' settings under test: the same lines are in docker/ha/*.sh and
# deploy/kubernetes/overlays/ha/*.sh, which check_stacks() holds to it. Why each: docs/operations.md.
REDIS_SETTINGS = [
    ("appendonly", "yes"),
    ("repl-diskless-sync-delay", "0"),
    ("repl-backlog-size", "16mb"),
    ("min-replicas-to-write", "1"),
    ("min-replicas-max-lag", "5"),
]
SENTINEL_SETTINGS = [
    ("down-after-milliseconds", "5000"),
    ("failover-timeout", "5000"),
    ("parallel-syncs", "3"),
]
# What docker/ha/ ran before issue 26, for comparison (--settings before).
BEFORE_REDIS_SETTINGS = [("appendonly", "yes")]
BEFORE_SENTINEL_SETTINGS = [
    ("down-after-milliseconds", "1000"),
    ("failover-timeout", "5000"),
    ("parallel-syncs", "2"),
]
KINDS = ["app SIGKILL + restart", "primary SIGSTOP 3 s", "primary SIGKILL + restart", "Sentinel SIGSTOP 5 s"]
GOALS = {
    KINDS[0]: "no failed request but those in flight on it",
    KINDS[1]: "back for good <= 5 s after a replica is promoted (after the fault if none is)",
    KINDS[2]: "back for good <= 5 s after a replica is promoted (after the fault if none is)",
    KINDS[3]: "no effect: no request failed",
}
COUNT = re.compile(rb"seen (\d+) times")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--seconds", type=float, default=90, help="how long the load and the faults last")
    parser.add_argument("--work", required=True, help="an empty directory for data, configs and logs")
    parser.add_argument("--classpath", required=True, help="the app's classes and runtime classpath")
    parser.add_argument("--haproxy-cfg", default="docker/haproxy/haproxy.cfg")
    parser.add_argument("--base-port", type=int, default=27000)
    parser.add_argument("--replicas", type=int, default=3, help="Redis replicas beside the primary")
    parser.add_argument("--wait", type=int, default=3,
                        help="REDIS_WAIT_REPLICAS of the apps; the default, every replica, is the hard guarantee")
    parser.add_argument("--apps", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--gap", type=float, default=5, help="mean seconds from one fault to the next")
    parser.add_argument("--settle", type=float, default=20,
                        help="longest wait for the system to be whole again before the next fault")
    parser.add_argument("--replica-out", action="store_true",
                        help="kill one replica before the load starts and leave it out: a data node out for long")
    parser.add_argument("--report-only", action="store_true", help="print the checks but exit 0 (trade-off runs)")
    parser.add_argument("--proxy-retry-after", choices=["auto", "require", "report"], default="auto",
                        help="whether a 503 made by HAProxy itself must carry Retry-After; auto: required once "
                             "the haproxy.cfg gives its 503 a page of its own (errorfile or http-error) or names "
                             "Retry-After")
    parser.add_argument("--settings", choices=["issue-26", "before"], default="issue-26",
                        help="the Redis and Sentinel settings above, or those of before issue 26")
    parser.add_argument("--check-stacks", action="store_true",
                        help="also check that the Compose and Kubernetes HA scripts carry the settings above")
    args = parser.parse_args()

    if args.check_stacks:
        problems = check_stacks()
        for problem in problems:
            print(f"FAILED: {problem}")
        if problems:
            sys.exit(1)
        print("ok: docker/ha/ and deploy/kubernetes/overlays/ha/ start Redis and the Sentinels with the soak's settings")

    if args.settings == "before":
        args.redis_settings, args.sentinel_settings = BEFORE_REDIS_SETTINGS, BEFORE_SENTINEL_SETTINGS
    else:
        args.redis_settings, args.sentinel_settings = REDIS_SETTINGS, SENTINEL_SETTINGS
    schedule = make_schedule(args)
    print(f"== chaos: seed {args.seed}, {args.seconds:g} s, {args.replicas + 1} Redis data nodes (primary + "
          f"{args.replicas} replicas, AOF), 3 Sentinels, {args.apps} apps with REDIS_WAIT_REPLICAS={args.wait}, "
          f"HAProxy with {args.haproxy_cfg}, {args.clients} keep-alive clients")
    print(f"   Redis ({args.settings}): " + " ".join(f"{k} {v}" for k, v in args.redis_settings))
    print(f"   Sentinel ({args.settings}): " + " ".join(f"{k} {v}" for k, v in args.sentinel_settings))
    print(f"   schedule (replay: .ci/chaos.sh --seed {args.seed} --seconds {args.seconds:g}); each fault waits "
          f"for its gap and then for the system to be whole again (at most {args.settle:g} s):")
    for i, (kind, target, gap) in enumerate(schedule, 1):
        print(f"   {i:3d}. after {gap:.1f} s: {kind}{target_name(kind, target)}")

    stack = Stack(args)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        stack.start()
        if args.replica_out:
            stack.leave_out_a_replica()
        outcome = soak(args, stack, schedule)
    finally:
        stack.stop()
    sys.exit(0 if outcome or args.report_only else 1)


def make_schedule(args):
    """Faults in shuffled rounds of the four kinds, each with a target and the gap before it."""
    rng = random.Random(args.seed)
    schedule = []
    budget = args.seconds
    while budget > 0:
        kinds = KINDS[:]
        rng.shuffle(kinds)
        for kind in kinds:
            gap = rng.uniform(args.gap - 1, args.gap + 1)
            target = rng.randrange(args.apps) if kind == KINDS[0] else rng.randrange(3) if kind == KINDS[3] else None
            schedule.append((kind, target, gap))
            budget -= gap
    return schedule


def target_name(kind, target):
    if kind == KINDS[0]:
        return f" (app-{target + 1})"
    if kind == KINDS[3]:
        return f" (sentinel-{target + 1})"
    return " (whichever node is the primary then)"


# ---------------------------------------------------------------------------------------------------------------
# Redis's protocol, enough for the checks: one command per connection.

class RedisError(Exception):
    pass


def redis(port, *command, timeout=0.5):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"*%d\r\n" % len(command)
                  + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in (str(c).encode() for c in command)))
        return read_reply(s.makefile("rb"))


def read_reply(f):
    line = f.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("connection closed")
    kind, rest = line[:1], line[1:-2]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise RedisError(rest.decode())
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        return None if n < 0 else f.read(n + 2)[:-2].decode()
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [read_reply(f) for _ in range(n)]
    raise ConnectionError(f"unexpected reply {line!r}")


def try_redis(port, *command, timeout=0.5):
    try:
        return redis(port, *command, timeout=timeout)
    except (OSError, RedisError):
        return None


def info(port, section):
    text = try_redis(port, "INFO", section)
    if text is None:
        return None
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


# ---------------------------------------------------------------------------------------------------------------

class Stack:
    """The processes: Redis data nodes, Sentinels, apps and HAProxy, each started in a session of its own."""

    def __init__(self, args):
        self.args = args
        self.work = args.work
        base = args.base_port
        self.redis_ports = [base + 1 + i for i in range(args.replicas + 1)]
        self.sentinel_ports = [base + 101 + i for i in range(3)]
        self.app_ports = [base + 201 + i for i in range(args.apps)]
        self.proxy_port = base + 300
        self.processes = {}  # name -> Popen
        self.stopped = set()  # names under SIGSTOP
        self.out = set()  # names killed for good (--replica-out)
        self.lock = threading.Lock()

    # -- starting -------------------------------------------------------------------------------------------
    def spawn(self, name, command, env=None):
        log = open(os.path.join(self.work, name + ".log"), "ab")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=env, start_new_session=True, cwd=self.work)
        log.close()
        with self.lock:
            self.processes[name] = process
        with open(os.path.join(self.work, "pids"), "a") as pids:
            pids.write(f"{process.pid}\n")
        return process

    def start_redis(self, i, primary_port=None):
        port = self.redis_ports[i]
        data = os.path.join(self.work, f"redis-{i + 1}")
        os.makedirs(data, exist_ok=True)
        command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", data,
                   "--daemonize", "no", "--logfile", ""]
        for key, value in self.args.redis_settings:
            command += [f"--{key}", value]
        if primary_port is not None:
            command += ["--replicaof", "127.0.0.1", str(primary_port)]
        self.spawn(f"redis-{i + 1}", command)

    def start_sentinel(self, j, primary_port):
        data = os.path.join(self.work, f"sentinel-{j + 1}")
        os.makedirs(data, exist_ok=True)
        conf = os.path.join(data, "sentinel.conf")
        with open(conf, "w") as f:
            f.write(f"port {self.sentinel_ports[j]}\nbind 127.0.0.1\ndir {data}\n"
                    f"sentinel monitor {MASTER} 127.0.0.1 {primary_port} 2\n")
            for key, value in self.args.sentinel_settings:
                f.write(f"sentinel {key} {MASTER} {value}\n")
        self.spawn(f"sentinel-{j + 1}", ["redis-server", conf, "--sentinel"])

    def start_app(self, k):
        env = {name: value for name, value in os.environ.items()
               if not name.startswith("REDIS_") and name not in ("PORT", "COUNTER_KEY", "REQUEST_THREADS")}
        env.update({
            "PORT": str(self.app_ports[k]),
            "REDIS_SENTINELS": ",".join(f"127.0.0.1:{p}" for p in self.sentinel_ports),
            "REDIS_SENTINEL_MASTER": MASTER,
            "REDIS_WAIT_REPLICAS": str(self.args.wait),
        })
        self.spawn(f"app-{k + 1}", ["java", "-Xmx256m", "-XX:+UseSerialGC", "-cp", self.args.classpath,
                                    "dev.hitcounter.EmbeddedLauncher"], env)

    def start_proxy(self):
        with open(self.args.haproxy_cfg) as f:
            original = f.read()
        derived, changes = derive_haproxy_cfg(original, self.args.haproxy_cfg, self.app_ports, self.proxy_port)
        path = os.path.join(self.work, "haproxy.cfg")
        with open(path, "w") as f:
            f.write(derived)
        print(f"   HAProxy: {self.args.haproxy_cfg} as it is, but for these lines:")
        for change in changes:
            print(f"     {change}")
        check = subprocess.run(["haproxy", "-c", "-q", "-f", path], capture_output=True, text=True)
        if check.returncode != 0:
            raise SystemExit(f"FAILED: haproxy -c on the derived config: {check.stdout}{check.stderr}")
        self.spawn("haproxy", ["haproxy", "-db", "-f", path])

    def start(self):
        began = time.time()
        for port in self.redis_ports + self.sentinel_ports + self.app_ports + [self.proxy_port]:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    raise SystemExit(f"FAILED: port {port} is taken; pick others with --base-port")
        self.start_redis(0)
        for i in range(1, len(self.redis_ports)):
            self.start_redis(i, self.redis_ports[0])
        await_true(lambda: self.in_sync(self.redis_ports[0]), 30, "the replicas in sync with the primary")
        for j in range(3):
            self.start_sentinel(j, self.redis_ports[0])
        await_true(self.sentinels_know_everyone, 30, "the Sentinels knowing every replica and each other")
        for k in range(len(self.app_ports)):
            self.start_app(k)
        await_true(lambda: all(self.app_ready(k) for k in range(len(self.app_ports))), 120, "the apps ready")
        self.start_proxy()
        await_true(lambda: get(self.proxy_port, "/")[0] == 200, 30, "a 200 through HAProxy")
        print(f"   up in {time.time() - began:.1f} s: Redis {self.redis_ports}, Sentinels {self.sentinel_ports}, "
              f"apps {self.app_ports}, HAProxy {self.proxy_port}")

    # -- looking ---------------------------------------------------------------------------------------------
    def alive(self, name):
        with self.lock:
            process = self.processes.get(name)
        return process is not None and process.poll() is None

    def in_sync(self, primary):
        replication = info(primary, "replication")
        if not replication or replication.get("role") != "master":
            return False
        online = [v for k, v in replication.items() if re.fullmatch(r"slave\d+", k) and "state=online" in v]
        return len(online) == len(self.redis_ports) - 1 - len(self.out)

    def sentinels_know_everyone(self):
        for port in self.sentinel_ports:
            replicas = try_redis(port, "SENTINEL", "REPLICAS", MASTER)
            others = try_redis(port, "SENTINEL", "SENTINELS", MASTER)
            if replicas is None or others is None or len(replicas) != len(self.redis_ports) - 1 or len(others) != 2:
                return False
        return True

    def primary(self):
        """The primary's port as most Sentinels that answer name it, or None."""
        votes = {}
        for j, port in enumerate(self.sentinel_ports):
            if f"sentinel-{j + 1}" in self.stopped:
                continue
            answer = try_redis(port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER, timeout=0.3)
            if answer:
                votes[int(answer[1])] = votes.get(int(answer[1]), 0) + 1
        return max(votes, key=votes.get) if votes else None

    def sentinels_agree(self):
        answers = {str(try_redis(p, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER)) for p in self.sentinel_ports}
        return len(answers) == 1 and "None" not in answers

    def app_ready(self, k):
        return get(self.app_ports[k], "/readyz")[0] == 200

    def whole(self):
        """Every process up and running, the Sentinels agreeing, every replica online, every app ready."""
        if self.stopped or not all(self.alive(name) for name in self.processes if name not in self.out):
            return False
        primary = self.primary()
        return (primary is not None and self.sentinels_agree() and self.in_sync(primary)
                and all(self.app_ready(k) for k in range(len(self.app_ports))))

    # -- breaking --------------------------------------------------------------------------------------------
    def signal(self, name, sig):
        with self.lock:
            process = self.processes[name]
        os.kill(process.pid, sig)
        if sig == signal.SIGSTOP:
            self.stopped.add(name)
        elif sig == signal.SIGCONT:
            self.stopped.discard(name)
        elif sig == signal.SIGKILL:
            process.wait()

    def leave_out_a_replica(self):
        primary = self.primary()
        i = max(i for i, port in enumerate(self.redis_ports) if port != primary)
        self.signal(f"redis-{i + 1}", signal.SIGKILL)
        self.out.add(f"redis-{i + 1}")
        print(f"   redis-{i + 1} (port {self.redis_ports[i]}) killed and left out for the whole run")

    def restart_redis(self, i):
        """As docker/ha/redis-start.sh: a replica of the primary the Sentinels name; while they still name this
        node (they have not seen it die), up to 10 s for them to promote another."""
        me = self.redis_ports[i]
        primary = self.primary()
        deadline = time.time() + 10
        while primary in (None, me) and time.time() < deadline:
            time.sleep(0.5)
            primary = self.primary()
        self.start_redis(i, primary if primary not in (None, me) else None)

    def stop(self):
        with self.lock:
            processes = list(self.processes.values())
        for process in processes:
            if process.poll() is None:
                try:
                    os.kill(process.pid, signal.SIGCONT)
                    os.kill(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass


def proxy_mounts(root):
    """The files docker-compose.ha.yml mounts under /usr/local/etc/haproxy/ (e.g. the app's 503 page), by the path
    the config names them with, as paths on this machine."""
    mounts = {}
    compose = os.path.join(root, "docker-compose.ha.yml")
    if os.path.exists(compose):
        with open(compose) as f:
            for line in f:
                m = re.match(r"\s*-\s*['\"]?(\./[^:'\"]+):(/usr/local/etc/haproxy/[^:'\"]+)", line)
                if m:
                    mounts[m.group(2)] = os.path.normpath(os.path.join(root, m.group(1)))
    return mounts


def derive_haproxy_cfg(text, path, app_ports, proxy_port):
    """The project's haproxy.cfg for loopback: no DNS resolvers (a static server line per app instead of the
    server-template), the frontend bound to proxy_port, and files it names under /usr/local/etc/haproxy/ taken
    from where docker-compose.ha.yml mounts them from, else from beside the config. Everything else as it is. Returns the text and the lines changed."""
    out, changes = [], []
    in_resolvers = False
    bound = templated = False
    here = os.path.dirname(os.path.abspath(path))
    mounts = proxy_mounts(os.path.dirname(os.path.dirname(here)))
    for line in text.splitlines():
        stripped = line.strip()
        words = stripped.split()
        if words and not line[:1].isspace() and not stripped.startswith("#"):
            in_resolvers = words[0] == "resolvers"
            if in_resolvers:
                changes.append(f"- {stripped} (and its section)")
                continue
        if in_resolvers:
            continue
        if words[:1] == ["bind"]:
            new = re.sub(r"^(\s*)bind\s+\S+", rf"\g<1>bind 127.0.0.1:{proxy_port}", line)
            changes.append(f"{stripped} -> {new.strip()}")
            out.append(new)
            bound = True
            continue
        if words[:1] == ["server-template"]:
            prefix = words[1]
            for k, port in enumerate(app_ports, 1):
                out.append(f"    server {prefix}{k} 127.0.0.1:{port}")
            changes.append(f"{stripped} -> " + "; ".join(
                f"server {prefix}{k} 127.0.0.1:{port}" for k, port in enumerate(app_ports, 1)))
            templated = True
            continue
        if words[:1] == ["default-server"]:
            new = re.sub(r"\s+(init-addr\s+\S+|resolvers\s+\S+|resolve-prefer\s+\S+)", "", line)
            if new != line:
                changes.append(f"{stripped} -> {new.strip()}")
            out.append(new)
            continue
        if "/usr/local/etc/haproxy/" in line:
            def local(match):
                if match.group(0) in mounts:
                    return mounts[match.group(0)]
                name = os.path.basename(match.group(0))
                for root, _, files in os.walk(here):
                    if name in files:
                        return os.path.join(root, name)
                raise SystemExit(f"FAILED: {path} names {match.group(0)}, which docker-compose.ha.yml does not mount "
                                 f"and no {name} is under {here}")
            new = re.sub(r"/usr/local/etc/haproxy/\S+", local, line)
            changes.append(f"{stripped} -> {new.strip()}")
            out.append(new)
            continue
        out.append(line)
    if not bound or not templated:
        raise SystemExit(f"FAILED: {path} has no bind or no server-template line; the soak cannot derive its config")
    return "\n".join(out) + "\n", changes


def proxy_page_for_503(text):
    """Whether the config gives HAProxy's own 503 an answer of its own, or names Retry-After at all."""
    return bool(re.search(r"^\s*(errorfile\s+503|errorfiles\s|http-error\s+status\s+503)|retry-after", text,
                          re.M | re.I))


def check_stacks():
    problems = []
    for path in ("docker/ha/redis-start.sh", "deploy/kubernetes/overlays/ha/redis-start.sh"):
        text = open(path).read()
        for key, value in REDIS_SETTINGS:
            if not re.search(rf"--{re.escape(key)}\s+{re.escape(value)}\b", text):
                problems.append(f"{path} does not start Redis with --{key} {value}, as the soak does")
    for path in ("docker/ha/sentinel-start.sh", "deploy/kubernetes/overlays/ha/sentinel-start.sh"):
        text = open(path).read()
        for key, value in SENTINEL_SETTINGS:
            if not re.search(rf"sentinel {re.escape(key)} {MASTER} {re.escape(value)}\s*$", text, re.M):
                problems.append(f"{path} does not set sentinel {key} {MASTER} {value}, as the soak does")
    return problems


def get(port, path, timeout=1.0):
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, body
    except (OSError, http.client.HTTPException):
        return None, b""


def await_true(condition, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise SystemExit(f"FAILED: waited {seconds} s for {what}")


# ---------------------------------------------------------------------------------------------------------------

class Load:
    """Keep-alive clients sending GET / through the proxy until stopped; one record per answer or failure:
    (sent, answered, status or None, Retry-After, count on a 200, X-Served-By, error). After a failure a client
    waits 50 ms, so a 503 storm does not take the CPU the recovery needs."""

    def __init__(self, port, clients):
        self.port = port
        self.done = threading.Event()
        self.records = []
        self.last = (0.0, None)  # (answered, status) of the latest answer of any client
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.client, daemon=True) for _ in range(clients)]

    def start(self):
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.done.set()
        for thread in self.threads:
            thread.join()
        self.records.sort()
        return self.records

    def serving(self):
        """Whether the latest answer, within the last second, was a 200."""
        answered, status = self.last
        return status == 200 and time.time() - answered < 1

    def client(self):
        connection = None
        mine = []
        while not self.done.is_set():
            sent = time.time()
            status = retry_after = count = served_by = error = None
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                connection.request("GET", "/")
                response = connection.getresponse()
                body = response.read()
                status = response.status
                retry_after = response.getheader("Retry-After")
                served_by = response.getheader("X-Served-By")
                if status == 200:
                    match = COUNT.search(body)
                    if match:
                        count = int(match.group(1))
                    else:
                        error = "200 without a count"
                if response.will_close:
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as e:
                error = type(e).__name__
                if connection is not None:
                    connection.close()
                connection = None
            mine.append((sent, time.time(), status, retry_after, count, served_by, error))
            self.last = mine[-1][1], status
            if status != 200:
                time.sleep(0.05)
        with self.lock:
            self.records.extend(mine)


class SentinelEvents:
    """Every Sentinel's published events (PSUBSCRIBE *), with the time each arrived: when a primary was elected."""

    def __init__(self, ports, work):
        self.ports = ports
        self.events = []  # (time, sentinel port, channel, message)
        self.done = threading.Event()
        self.log = open(os.path.join(work, "sentinel-events.log"), "w")
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.listen, args=(p,), daemon=True) for p in ports]

    def start(self):
        for thread in self.threads:
            thread.start()

    def listen(self, port):
        while not self.done.is_set():
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"*2\r\n$10\r\nPSUBSCRIBE\r\n$1\r\n*\r\n")
                    f = s.makefile("rb")
                    while not self.done.is_set():
                        try:
                            message = read_reply(f)
                        except socket.timeout:
                            continue  # a stopped Sentinel; the subscription holds
                        if isinstance(message, list) and message[0] == "pmessage":
                            with self.lock:
                                if self.done.is_set():
                                    return
                                self.events.append((time.time(), port, message[2], message[3]))
                                self.log.write(f"{time.time():.3f} {port} {message[2]} {message[3]}\n")
            except (OSError, ConnectionError, RedisError):
                time.sleep(0.2)

    def first(self, channel, after, before):
        with self.lock:
            return next((t for t, _, c, _ in sorted(self.events) if c == channel and after <= t < before), None)

    def stop(self):
        with self.lock:
            self.done.set()
            self.log.close()


# ---------------------------------------------------------------------------------------------------------------

def soak(args, stack, schedule):
    events = SentinelEvents(stack.sentinel_ports, args.work)
    events.start()
    load = Load(stack.proxy_port, args.clients)
    began = time.time()
    load.start()
    end = began + args.seconds
    faults = []
    last = began
    try:
        for kind, target, gap in schedule:
            due = last + gap
            # The last fault keeps 10 s to show its effect and its end (a primary's kill takes about 8).
            if due > end - 10:
                break
            while time.time() < due:
                time.sleep(0.05)
            settle_deadline = time.time() + args.settle
            whole = lambda: load.serving() and stack.whole()
            while not whole() and time.time() < settle_deadline:
                time.sleep(0.1)
            isolated = whole()
            if time.time() > end - 10:
                break
            fault = {"kind": kind, "isolated": isolated}
            inject(stack, fault, kind, target)
            faults.append(fault)
            last = fault["at"]
            print(f"   {fault['at'] - began:6.1f} s  {kind}: {fault['target']}"
                  f"{'' if isolated else ' (overlapping: the last fault was not over)'}", flush=True)
        while time.time() < end:
            time.sleep(0.1)
    finally:
        records = load.stop()
        stopped_at = time.time()
    print(f"   load stopped after {stopped_at - began:.1f} s: {len(records)} answers")
    try:
        await_true(stack.whole, 60, "the system whole again after the soak")
        await_true(lambda: len(set(views(stack).values())) == 1, 30, "the same count on every data node")
    except SystemExit as e:
        print(e)
    finally:
        events.stop()
    final = views(stack)
    with open(os.path.join(args.work, "answers.jsonl"), "w") as f:
        for record in records:
            f.write(json.dumps(record) + "\n")
    return check(args, stack, records, faults, final, events, stopped_at)


def inject(stack, fault, kind, target):
    if kind == KINDS[0]:
        name = f"app-{target + 1}"
        fault["target"] = name
        fault["at"] = time.time()
        stack.signal(name, signal.SIGKILL)
        stack.start_app(target)
    elif kind == KINDS[3]:
        name = f"sentinel-{target + 1}"
        fault["target"] = name
        fault["at"] = time.time()
        stack.signal(name, signal.SIGSTOP)
        time.sleep(5)
        stack.signal(name, signal.SIGCONT)
    else:
        port = stack.primary()
        i = stack.redis_ports.index(port)
        name = f"redis-{i + 1}"
        fault["target"] = f"{name} (port {port})"
        fault["at"] = time.time()
        if kind == KINDS[1]:
            stack.signal(name, signal.SIGSTOP)
            time.sleep(3)
            stack.signal(name, signal.SIGCONT)
        else:
            stack.signal(name, signal.SIGKILL)
            stack.restart_redis(i)
    fault["over"] = time.time()


def views(stack):
    return {f"redis-{i + 1}": try_redis(port, "GET", "views") for i, port in enumerate(stack.redis_ports)
            if f"redis-{i + 1}" not in stack.out}


def check(args, stack, records, faults, final, events, stopped_at):
    failures = []
    statuses = {}
    for r in records:
        key = str(r[2]) if r[2] is not None else r[6]
        statuses[key] = statuses.get(key, 0) + 1
    print(f"   answers: {json.dumps(dict(sorted(statuses.items())))}")

    fivehundreds = sum(1 for r in records if r[2] == 500)
    if fivehundreds:
        failures.append(f"{fivehundreds} answers were 500")
    bad_200 = sum(1 for r in records if r[2] == 200 and r[4] is None)
    if bad_200:
        failures.append(f"{bad_200} answers were 200 without a count")

    # Time without a 200: the gaps of over 0.5 s between one 200 and the next (the clients' pause after a failure
    # is 50 ms), over the whole run, whatever the faults.
    answered = sorted(r[1] for r in records if r[2] == 200)
    if records:
        answered = [records[0][0]] + answered + [max(r[1] for r in records)]
    gaps = [(b - a, a) for a, b in zip(answered, answered[1:]) if b - a > 0.5]
    if records:
        longest = max(gaps, default=(0.0, 0.0))
        print(f"   time without a 200: {sum(g for g, _ in gaps):.1f} s of {records[-1][1] - records[0][0]:.1f} s, "
              f"in {len(gaps)} gaps; the longest {longest[0]:.1f} s")

    counts = [r[4] for r in records if r[2] == 200 and r[4] is not None]
    duplicates = len(counts) - len(set(counts))
    if duplicates:
        failures.append(f"{duplicates} counts were answered twice (of {len(counts)} 200s): a count went back")
    acknowledged = max(counts, default=0)
    print(f"   200s: {len(counts)}, distinct counts: {len(set(counts))}, highest count answered: {acknowledged}")
    print(f"   views on each data node after the soak: {json.dumps(final)}")
    values = [int(v) if v is not None else None for v in final.values()]
    if None in values or len(set(values)) != 1:
        failures.append(f"the data nodes do not hold the same count after settling: {final}")
    lost = acknowledged - min((v for v in values if v is not None), default=0)
    if lost > 0:
        failures.append(f"{lost} acknowledged views lost: a 200 said {acknowledged}, a node holds {min(values)}")
    else:
        print(f"   acknowledged views lost: 0 (every node holds at least {acknowledged})")

    with open(args.haproxy_cfg) as f:
        own_page = proxy_page_for_503(f.read())
    app_503 = [r for r in records if r[2] == 503 and r[5]]
    proxy_503 = [r for r in records if r[2] == 503 and not r[5]]
    for source, answers in (("the app", app_503), ("HAProxy", proxy_503)):
        missing = sum(1 for r in answers if not r[3])
        line = f"503s from {source}: {len(answers)}, without Retry-After: {missing}"
        required = source == "the app" or args.proxy_retry_after == "require" or (
            args.proxy_retry_after == "auto" and own_page)
        if missing and required:
            failures.append(line)
        elif missing:
            line += (" (reported, not failed: the haproxy.cfg gives HAProxy's own 503 no answer of its own yet; "
                     "--proxy-retry-after require makes it a failure)")
        print("   " + line)

    rows = table(args, records, faults, events, stopped_at, failures)
    print()
    print("| fault | isolated | count | next 200: median | next 200: max | promoted: median | back for good: max "
          "| back after the promotion: max | 503s | other failures | goal | met? |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    with open(os.path.join(args.work, "faults.json"), "w") as f:
        json.dump(faults, f, indent=1)
    if failures:
        for failure in failures:
            print(f"FAILED: {failure}")
        print(f"== chaos: FAILED (seed {args.seed})")
        return False
    print(f"== chaos: all checks passed (seed {args.seed})")
    return True


def table(args, records, faults, events, stopped_at, failures):
    by_end = sorted(records, key=lambda r: r[1])
    measured = []
    for n, fault in enumerate(faults):
        at = fault["at"]
        until = faults[n + 1]["at"] if n + 1 < len(faults) else stopped_at
        window = [r for r in by_end if at <= r[1] < until]
        in_flight = [r for r in window if r[0] < at]
        after = [r for r in window if r[0] >= at]
        failed_after = [r for r in after if r[2] != 200]
        first_failure = next((r[1] for r in window if r[2] != 200), None)
        last_failure = next((r[1] for r in reversed(window) if r[2] != 200), None)
        if first_failure is None:
            recovered = back = 0.0
        else:
            first_200 = next((r for r in window if r[2] == 200 and r[0] >= first_failure), None)
            recovered = first_200[1] - at if first_200 else None
            # Back for good: the first 200 sent after the last failure of the window.
            good = next((r for r in window if r[2] == 200 and r[0] >= last_failure), None)
            back = good[1] - at if good else None
        # Elected: the promoted replica took the role (+promoted-slave), else the apps were told (+switch-master).
        elected = events.first("+promoted-slave", at, until) or events.first("+switch-master", at, until)
        fault.update({
            "to_next_200_s": recovered, "back_s": back, "elected_s": elected - at if elected else None,
            "503s": sum(1 for r in window if r[2] == 503),
            "other_failures": sum(1 for r in window if r[2] not in (200, 503)),
            "failed_in_flight": sum(1 for r in in_flight if r[2] != 200),
            "failed_sent_after": len(failed_after),
        })
        kind = fault["kind"]
        if kind == KINDS[0]:
            # The other instance's own 503s (Redis, not the kill) do not count: HAProxy's 503s and lost answers do.
            failed_after = [r for r in failed_after if not (r[2] == 503 and r[5])]
            met = not failed_after
            why = f"{len(failed_after)} failed that were sent after the kill" if failed_after else ""
            # A request HAProxy had passed to the app as it died is answered 502, or on a reused client connection
            # by closing it unanswered: with no retry of a GET that may have counted (issue 21 item 2), at most one
            # per client is the documented miss (docs/operations.md, "Keep-alive connections"); more fails the run.
            dropped = [r for r in failed_after if r[2] == 502 or not isinstance(r[2], int)]
            fault["tolerated"] = (not met and len(dropped) == len(failed_after)
                                  and len(failed_after) <= args.clients)
            if fault["tolerated"]:
                why += f" (each a 502 or a dropped connection, at most one per client: {args.clients})"
        elif kind == KINDS[3]:
            failed = [r for r in window if r[2] != 200]
            met = not failed
            why = f"{len(failed)} failed" if failed else ""
        else:
            # Back for good within 5 s of the election; a stop too short for one is measured from the fault.
            start = elected if elected else at
            late = None if back is None else at + back - start
            met = late is not None and late <= 5
            why = "" if met else ("no 200 before the next fault" if late is None
                                  else f"back {late:.1f} s after the {'election' if elected else 'fault'}")
        fault["met"] = met
        fault["why"] = why
        measured.append(fault)
        print(f"   fault {n + 1}: {kind} {fault['target']}: next 200 after "
              f"{'-' if recovered is None else f'{recovered:.2f} s'}, back for good after "
              f"{'-' if back is None else f'{back:.2f} s'}, promoted after "
              f"{'-' if not elected else f'{elected - at:.2f} s'}, {fault['503s']} 503s, "
              f"{fault['other_failures']} other failures ({fault['failed_in_flight']} in flight), "
              f"{'isolated' if fault['isolated'] else 'overlapping'}{'' if met else ': goal missed, ' + why}")

    rows = []
    for kind in KINDS:
        for isolated in (True, False):
            group = [f for f in measured if f["kind"] == kind and f["isolated"] == isolated]
            if not group:
                continue
            times = [f["to_next_200_s"] for f in group if f["to_next_200_s"] is not None]
            backs = [f["back_s"] for f in group if f["back_s"] is not None]
            elections = [f["elected_s"] for f in group if f["elected_s"] is not None]
            after_promotion = [f["back_s"] - f["elected_s"] for f in group
                               if f["elected_s"] is not None and f["back_s"] is not None]
            missed = [f for f in group if not f["met"]]
            broken = [f for f in missed if not f.get("tolerated")]
            if isolated and broken:
                failures.append(f"{kind}: goal missed in {len(broken)} of {len(group)} isolated faults ("
                                + "; ".join(f["why"] for f in broken) + ")")
            rows.append([
                kind, "yes" if isolated else "no (overlapping)", str(len(group)),
                f"{statistics.median(times):.2f} s" if times else "-",
                f"{max(times):.2f} s" if len(times) == len(group) else "no 200",
                f"{statistics.median(elections):.2f} s" if elections else "-",
                f"{max(backs):.2f} s" if len(backs) == len(group) else "not back",
                f"{max(after_promotion):.2f} s" if after_promotion else "-",
                str(sum(f["503s"] for f in group)), str(sum(f["other_failures"] for f in group)),
                GOALS[kind],
                ("yes" if not missed else f"no: {len(missed)} of {len(group)}"
                 + (", each within one dropped request per client" if not broken else "")) if isolated
                else ("(not a goal) " + ("held" if not missed else f"{len(missed)} of {len(group)} missed")),
            ])
    return rows


if __name__ == "__main__":
    main()
