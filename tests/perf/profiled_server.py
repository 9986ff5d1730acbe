"""uvicorn with pyinstrument: ``python -m tests.perf.profiled_server TARGET PORT OUT_PREFIX``.
SIGUSR1 starts sampling (after start-up and warm-up, so imports are not in the profile), SIGUSR2
stops it and writes OUT_PREFIX.txt (the call tree) and OUT_PREFIX.json (self time by library)."""

from __future__ import annotations

import cProfile
import json
import os
import signal
import sys
from collections import defaultdict
from typing import Any

import uvicorn
from pyinstrument import Profiler

from ordena.cli import EVENT_LOOP


def bucket(path: str | None) -> str:
    p = path or "?"
    for key in (
        "ordena/",
        "tests/perf/",
        "sqlalchemy/",
        "asyncpg/",
        "jinja2/",
        "litestar/",
        "advanced_alchemy/",
        "uvicorn/",
        "uvloop/",
        "httptools/",
        "structlog/",
        "msgspec/",
        "babel/",
        "multipart/",
        "asyncio/",
        "selectors",
    ):
        if key in p:
            return key.rstrip("/")
    if p.startswith("<"):
        return p
    return "other"


def main() -> None:
    target, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    profiler = Profiler(interval=0.0005, async_mode="disabled")
    # BENCH_CPROFILE=1: a deterministic profile instead (OUT_PREFIX.pstats), for counting calls.
    deterministic = cProfile.Profile() if os.environ.get("BENCH_CPROFILE") else None

    def start(*_a: Any) -> None:
        if deterministic is not None:
            deterministic.enable()
        else:
            profiler.start()

    def stop(*_a: Any) -> None:
        if deterministic is not None:
            deterministic.disable()
            deterministic.dump_stats(out + ".pstats")
        elif profiler.is_running:
            write(profiler, out)

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    uvicorn.run(
        target, host="127.0.0.1", port=port, log_level="warning", access_log=False, log_config=None, loop=EVENT_LOOP
    )


def write(profiler: Profiler, out: str) -> None:
    if True:
        session = profiler.stop()
        text = profiler.output_text(unicode=False, color=False, show_all=False, short_mode=False)
        with open(out + ".txt", "w") as f:
            f.write(text)
        by_lib: dict[str, float] = defaultdict(float)
        by_fn: dict[str, float] = defaultdict(float)

        def walk(frame: Any, parent: Any) -> None:
            own = frame.total_self_time
            # "[self]" and "[await]" leaves are time spent in the parent frame itself.
            real = parent if (frame.is_synthetic and parent is not None) else frame
            if own:
                by_lib[bucket(real.file_path)] += own
                by_fn[f"{real.function} ({real.file_path_short}:{real.line_no})"] += own
            for child in frame.children:
                walk(child, real)

        root = session.root_frame()
        if root is not None:
            walk(root, None)
        with open(out + ".json", "w") as f:
            json.dump(
                {
                    "duration": session.duration,
                    "by_library": by_lib,
                    "top_functions": sorted(by_fn.items(), key=lambda kv: -kv[1])[:25],
                },
                f,
            )


if __name__ == "__main__":
    main()
