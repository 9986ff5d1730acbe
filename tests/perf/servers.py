"""Start the app under test and the floor as uvicorn servers (one process each, one worker),
and drive them with a load generator in a separate process (wrk, or pyload.py without it)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from ordena.cli import EVENT_LOOP

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


@dataclass
class Server:
    name: str
    target: str
    port: int
    env: dict[str, str]
    profile_out: str | None = None
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    command: list[str] | None = None  # instead of uvicorn TARGET (e.g. ``ordena serve``)
    started_s: float = 0.0  # from the process's launch to its first answer

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log_dir: Path, timeout: float = 240) -> None:
        self.log = log_dir / f"{self.name}.log"
        env = {**os.environ, **self.env, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src" / "platform")])}
        if self.command:
            cmd = self.command
        elif self.profile_out:
            cmd = [sys.executable, "-m", "tests.perf.profiled_server", self.target, str(self.port), self.profile_out]
        else:
            cmd = [
                sys.executable,
                "-m",
                "uvicorn",
                self.target,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
                "--loop",
                EVENT_LOOP,
                "--log-level",
                "warning",
            ]
        t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/login", timeout=1).status_code < 500:
                    self.started_s = time.monotonic() - t0
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not start on {self.url}")

    def reset_peak_rss(self) -> None:
        """Linux: writing 5 to clear_refs resets VmHWM, so each scenario gets its own peak."""
        assert self.proc is not None
        with contextlib.suppress(OSError):
            Path(f"/proc/{self.proc.pid}/clear_refs").write_text("5")

    def rss_kib(self) -> dict[str, int]:
        assert self.proc is not None
        out: dict[str, int] = {}
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                key, _sep, value = line.partition(":")
                if key in ("VmHWM", "VmRSS"):
                    out[key] = int(value.split()[0])
        except OSError:
            pass
        return out

    def cpu_seconds(self) -> float:
        """User + system CPU the server process has used so far (Linux /proc)."""
        assert self.proc is not None
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    bodies: list[str] = field(default_factory=list)


@dataclass
class Result:
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    errors: int
    raw: dict[str, Any]
    cpu_ms: float = 0.0  # the server's CPU per request (user + system), when measured
    db_cpu_ms: float = 0.0  # its PostgreSQL backends' CPU per request, when measured


def have_wrk() -> bool:
    return shutil.which("wrk") is not None and os.environ.get("BENCH_LOADGEN", "wrk") == "wrk"


def run_load(base_url: str, req: Request, *, connections: int, duration: float, work_dir: Path) -> Result:
    bodies_file = None
    if req.bodies:
        bodies_file = work_dir / f"bodies-{abs(hash(tuple(req.bodies)))}.txt"
        if not bodies_file.exists():
            bodies_file.write_text("\n".join(req.bodies) + "\n")
    headers = [f"{k}: {v}" for k, v in req.headers.items()]
    if have_wrk():
        cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout", "10s"]
        for h in headers:
            cmd += ["-H", h]
        cmd += ["-s", str(HERE / "bench.lua"), base_url, "--", req.method, req.path]
        if bodies_file:
            cmd.append(str(bodies_file))
    else:
        cmd = [
            sys.executable,
            str(HERE / "pyload.py"),
            base_url + req.path,
            "--method",
            req.method,
            "--connections",
            str(connections),
            "--duration",
            str(duration),
        ]
        for h in headers:
            cmd += ["--header", h]
        if bodies_file:
            cmd += ["--bodies", str(bodies_file)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=False)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"load generator failed: {proc.stdout[-2000:]} {proc.stderr[-2000:]}")
    raw = json.loads(line.removeprefix("BENCHJSON "))
    seconds = raw["duration_us"] / 1e6
    errors = raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"]
    return Result(
        rps=(raw["requests"] - raw["status"]) / seconds if seconds else 0.0,
        p50_ms=raw["p50"] / 1000,
        p95_ms=raw["p95"] / 1000,
        p99_ms=raw["p99"] / 1000,
        max_ms=raw["max"] / 1000,
        requests=raw["requests"],
        errors=errors,
        raw=raw,
    )
