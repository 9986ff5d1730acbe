"""Real processes for the fault suite, each on private ports and folders so that stopping one
disturbs nobody: a PostgreSQL cluster (initdb + pg_ctl from pgserver's binaries), a RabbitMQ
node, a Redis server, and Ordena's own web (``ordena serve``) and worker (``ordena worker``)
processes. The machine's shared services (PostgreSQL 5432, RabbitMQ 5672, Redis 6379) are never
touched."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parents[2]
ORDENA = [sys.executable, "-m", "ordena"]


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def free_port() -> int:
    """A free port *below* the kernel's ephemeral range. A server we stop and start again must
    get its port back: in the ephemeral range, clients retrying against the stopped server (or
    any other connection on the machine) may be handed that very port as their local end — a
    client retrying 127.0.0.1:P can even connect to itself — and the restarted server then fails
    with "address in use" (seen: RabbitMQ after a 30 s outage)."""
    low, _high = _ephemeral_range()
    rnd = random.Random()
    for _ in range(200):
        port = rnd.randrange(20000, max(20001, min(low, 32768)))
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_for(check: object, *, within: float, what: str, every: float = 0.2) -> None:
    deadline = time.monotonic() + within
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within:.0f} s waiting for {what}")
        time.sleep(every)


def _log(folder: Path, name: str) -> IO[bytes]:
    folder.mkdir(parents=True, exist_ok=True)
    return (folder / f"{name}.log").open("ab")


@dataclass
class Process:
    """A child process in its own process group (so a kill reaches its children too)."""

    name: str
    args: list[str]
    env: dict[str, str]
    logs: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        out = _log(self.logs, self.name)
        out.write(f"\n--- start {' '.join(self.args)}\n".encode())
        out.flush()
        self.proc = subprocess.Popen(
            self.args, env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
        )

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig: int) -> None:
        if self.running():
            assert self.proc is not None
            os.killpg(self.proc.pid, sig)

    def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a lost node would."""
        self.signal(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=10)

    def stop(self, timeout: float = 15) -> None:
        if not self.running():
            return
        assert self.proc is not None
        self.signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def tail(self, lines: int = 40) -> str:
        path = self.logs / f"{self.name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def _pg_bin() -> Path:
    import pgserver._commands as commands

    return Path(commands.POSTGRES_BIN_PATH)


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of our own on a private TCP port (restarting it disturbs no one)."""

    folder: Path
    port: int = field(default_factory=free_port)
    user: str | None = None  # the system user running postgres (root may not)

    def __post_init__(self) -> None:
        if os.geteuid() == 0:
            self.user = "pgserver"
            subprocess.run(["id", "-u", "pgserver"], check=False, capture_output=True).returncode == 0 or (
                subprocess.run(["useradd", "--system", "--no-create-home", "pgserver"], check=True)
            )

    @property
    def pgdata(self) -> Path:
        return self.folder / "pgdata"

    def _run(self, *args: str) -> None:
        cmd = [str(_pg_bin() / args[0]), *args[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.user:
            shutil.chown(self.folder, self.user, self.user)
            self.folder.chmod(0o755)
        self._run("initdb", "-D", str(self.pgdata), "--auth=trust", "-U", "postgres", "--encoding=utf8", "-N")
        self.start()

    def start(self) -> None:
        opts = f"-p {self.port} -h 127.0.0.1 -k {self.folder} -c fsync=off -c max_connections=120"
        self._run(
            "pg_ctl", "-D", str(self.pgdata), "-w", "-t", "60", "-o", opts, "-l", str(self.folder / "pg.log"), "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.pgdata), "-w", "-m", mode, "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"


@dataclass
class PrivateRabbit:
    """A RabbitMQ node of our own (node name, ports, data folder), started with the packaged
    ``rabbitmq-server`` script. Stopping it leaves the machine's node (5672) alone."""

    folder: Path
    port: int = field(default_factory=free_port)
    dist_port: int = field(default_factory=free_port)
    process: Process | None = None

    @property
    def node(self) -> str:
        return f"ordenafaults{self.port}@localhost"

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def start(self) -> None:
        # A fresh distribution port each time: the last one may linger in TIME_WAIT after a stop
        # (the node then refuses to boot: "could not bind to distribution port"). The AMQP port
        # stays, so clients reconnect to the same address.
        self.dist_port = free_port()
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.port}\nloopback_users = none\n"
        )
        (self.folder / "plugins").write_text("[].\n")
        (self.folder / "env.conf").write_text("")
        if os.geteuid() == 0:  # the script drops to the rabbitmq user, who must own the folder
            subprocess.run(["chown", "-R", "rabbitmq:rabbitmq", str(self.folder)], check=True)
        env = {
            **os.environ,
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONFIG_FILE": str(self.folder / "rabbitmq.conf"),
            "RABBITMQ_CONF_ENV_FILE": str(self.folder / "env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.folder / "plugins"),
            "RABBITMQ_MNESIA_BASE": str(self.folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.folder / "log"),
            "RABBITMQ_PID_FILE": str(self.folder / "rabbit.pid"),
        }
        self.process = Process("rabbitmq", ["rabbitmq-server"], env, self.folder)
        self.process.start()
        wait_for(lambda: self._accepts_amqp(), within=90, what="the private RabbitMQ node", every=0.5)

    def _accepts_amqp(self) -> bool:
        import pika

        if not port_open(self.port):
            return False
        try:
            params = pika.URLParameters(self.url)
            params.socket_timeout = 2
            params.connection_attempts = 1
            pika.BlockingConnection(params).close()
        except Exception:
            return False
        return True

    def _beam_pid(self) -> int | None:
        # The packaged script hands the node to the rabbitmq user in a session of its own, so
        # the node is found by the pid file it writes, not by our child's process group.
        try:
            return int((self.folder / "rabbit.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def stop(self, *, kill: bool = False) -> None:
        """A clean shutdown (durable queues and persistent messages are kept on disk)."""
        pid = self._beam_pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL if kill else signal.SIGTERM)
            wait_for(lambda: not _alive(pid), within=60, what="RabbitMQ to stop")
        if self.process is not None:
            self.process.stop(timeout=10)
        (self.folder / "rabbit.pid").unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes.
    try:
        return Path(f"/proc/{pid}/status").read_text().find("State:\tZ") < 0
    except OSError:
        return False


@dataclass
class PrivateRedis:
    """A Redis server of our own with the append-only file on (``appendfsync always``): a Redis
    broker without persistence loses the messages it holds when it restarts."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        args = [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.folder),
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
        ]
        self.process = Process("redis", args, dict(os.environ), self.folder)
        self.process.start()
        wait_for(lambda: port_open(self.port), within=20, what="the private Redis server")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
        wait_for(lambda: not port_open(self.port), within=20, what="Redis to stop")


@dataclass
class Ordena:
    """Ordena's web and worker processes against the private services."""

    env: dict[str, str]
    logs: Path
    port: int = field(default_factory=free_port)
    web: Process | None = None
    workers: list[Process] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self, *args: str) -> str:
        done = subprocess.run([*ORDENA, *args], env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def start_web(self) -> Process:
        self.web = Process("web", [*ORDENA, "serve", "--port", str(self.port)], self.env, self.logs)
        self.web.start()
        wait_for(self._live, within=240, what="the web process")
        return self.web

    def _live(self) -> bool:
        assert self.web is not None
        if not self.web.running():
            raise AssertionError("the web process exited:\n" + self.web.tail())
        try:
            return httpx.get(self.base_url + "/health/live", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def start_worker(self, *, threads: int = 2, name: str = "worker") -> Process:
        worker = Process(name, [*ORDENA, "worker", "--threads", str(threads)], self.env, self.logs)
        worker.start()
        self.workers.append(worker)
        return worker

    def stop_all(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers.clear()
        if self.web is not None:
            self.web.stop()
            self.web = None

    def with_env(self, **changes: str) -> Ordena:
        return Ordena({**self.env, **changes}, self.logs)
