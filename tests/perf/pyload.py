"""Fallback load generator when ``wrk`` is missing: asyncio + aiohttp in its own process,
N keep-alive clients in a closed loop for a fixed time. Prints one ``BENCHJSON {...}`` line
with the same fields as bench.lua (latencies in microseconds)."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from pathlib import Path

import aiohttp


async def main(a: argparse.Namespace) -> None:
    headers = dict(h.split(": ", 1) for h in a.header)
    bodies = Path(a.bodies).read_text().splitlines() if a.bodies else []  # noqa: ASYNC240 - before the clock starts
    latencies: list[float] = []
    base = "/".join(a.url.split("/")[:3])  # scheme://host:port
    errors = {"connect": 0, "read": 0, "status": 0}
    deadline = time.perf_counter() + a.duration
    connector = aiohttp.TCPConnector(limit=a.connections, force_close=False)
    async with aiohttp.ClientSession(
        connector=connector, headers=headers, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:

        async def client() -> None:
            while time.perf_counter() < deadline:
                url, body, extra = a.url, None, None
                if bodies:
                    line = random.choice(bodies)
                    path, tab, rest = line.partition("\t")
                    rest, tab2, header = rest.partition("\t")  # "PATH\tBODY\tName: value"
                    if tab2:
                        name, _colon, value = header.partition(": ")
                        extra = {name: value}
                    url, body = (base + path, rest.encode()) if tab else (a.url, line.encode())
                t0 = time.perf_counter()
                try:
                    async with session.request(a.method, url, data=body, headers=extra, allow_redirects=False) as r:
                        await r.read()
                        if r.status >= 400:
                            errors["status"] += 1
                except aiohttp.ClientConnectionError:
                    errors["connect"] += 1
                    continue
                latencies.append((time.perf_counter() - t0) * 1e6)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(a.connections)))
        elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> int:
        return int(latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))]) if latencies else 0

    out = {
        "requests": len(latencies),
        "duration_us": int(elapsed * 1e6),
        **errors,
        "write": 0,
        "timeout": 0,
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "max": int(latencies[-1]) if latencies else 0,
        "mean": sum(latencies) / len(latencies) if latencies else 0,
    }
    print("BENCHJSON " + json.dumps(out), flush=True)


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("--method", default="GET")
    p.add_argument("--connections", type=int, default=1)
    p.add_argument("--duration", type=float, default=2.0)
    p.add_argument("--header", action="append", default=[])
    p.add_argument("--bodies")
    asyncio.run(main(p.parse_args()))
