"""The benchmark harness runs end to end in its tiny "smoke" mode and writes a report with every
section. No timing is asserted: the figures are for docs/benchmarks.md, not for the suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordena.settings import Settings
from tests.perf import harness
from tests.perf.report import SECTIONS

# Starts servers and load generators: run on its own (`pytest -m perf`), not in `make test`.
pytestmark = pytest.mark.perf


def test_the_benchmark_harness_writes_a_report_with_every_section(migrated: Settings, tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    harness.run(harness.SMOKE, out=out, settings=migrated)
    text = out.read_text()
    for heading in SECTIONS:
        assert heading in text, heading
    assert "Consultant dashboard" in text
