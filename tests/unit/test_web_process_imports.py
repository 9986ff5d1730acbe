"""The web process holds only what serving needs: the libraries that print reports, write Excel,
add differential-privacy noise, call Stripe or run migrations are imported by the code that uses
them, so they cost a server nothing until (unless) that code runs.

Checked in a fresh interpreter: what ``ordena serve`` loads before its first request (the CLI, the
app, every job module, as the plugin's start-up loads them to relay the outbox)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("stripe", "weasyprint", "xlsxwriter", "openpyxl", "opendp", "alembic", "mako", "PIL", "fontTools")

PROGRAM = """
import json, sys
import ordena.cli
import ordena.server.asgi
from ordena.domains import load_jobs, load_models
load_models()
load_jobs()
print(json.dumps(sorted({name.partition(".")[0] for name in sys.modules})))
"""


def test_serving_imports_none_of_the_heavy_libraries() -> None:
    env = {**os.environ, "ORDENA_ENV": "test", "ORDENA_SECRET_KEY": "x" * 32}
    out = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, env=env, check=True)
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert "ordena" in loaded and "litestar" in loaded
    assert sorted(loaded.intersection(HEAVY)) == []
