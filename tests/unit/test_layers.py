"""Services, jobs and the CLI run without the web layer: only the web edge imports it.

A service that imported ``ordena.web`` (or Litestar) could not run in a worker or a command
without dragging in the HTTP stack, and would tempt the next change to reach for the request.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ordena

PACKAGE = Path(ordena.__file__).parent
WEB_EDGE_FOLDERS = {"web", "server"}
WEB_EDGE_FILES = {"routes.py", "api.py"}
WEB_EDGE_PACKAGES = {"routes"}  # a domain's routes split into a package (assessments/routes/)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _outside_the_web_edge() -> list[Path]:
    modules = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if (
            relative.parts[0] in WEB_EDGE_FOLDERS
            or relative.name in WEB_EDGE_FILES
            or WEB_EDGE_PACKAGES.intersection(relative.parts[:-1])
        ):
            continue
        modules.append(path)
    return modules


def test_there_are_modules_outside_the_web_edge_to_check() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in _outside_the_web_edge()}
    assert "assessments/scoring.py" in names
    assert "lib/errors.py" in names
    assert "web/access.py" not in names
    assert "assessments/routes/contact.py" not in names
    assert "assessments/questionnaire.py" in names


def test_no_module_outside_the_web_edge_imports_the_web_layer_or_litestar() -> None:
    offenders = []
    for path in _outside_the_web_edge():
        for name in _imports(path):
            if name == "ordena.web" or name.startswith(("ordena.web.", "litestar")) or name == "litestar":
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert offenders == []


def test_the_check_sees_an_import_of_the_web_layer(tmp_path: Path) -> None:
    module = tmp_path / "services.py"
    module.write_text("def f():\n    from ordena.web.forms import FormError\n")
    assert "ordena.web.forms" in _imports(module)
