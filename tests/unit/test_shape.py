"""The code keeps the shape docs/CONVENTIONS.md describes: small modules, short functions, and
imports at the top (a function-local import of our own code hides an import cycle)."""

from __future__ import annotations

import ast
from pathlib import Path

import ordena

PACKAGE = Path(ordena.__file__).parent
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def _modules() -> list[tuple[Path, ast.Module, str]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text()
        found.append((path.relative_to(PACKAGE), ast.parse(text), text))
    return found


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_no_module_is_over_600_lines() -> None:
    assert [f"{p}: {t.count(chr(10))}" for p, _, t in _modules() if t.count("\n") > MAX_MODULE_LINES] == []


def test_no_function_is_over_80_lines() -> None:
    long = [
        f"{path}:{fn.lineno} {fn.name} ({(fn.end_lineno or fn.lineno) - fn.lineno + 1} lines)"
        for path, tree, _ in _modules()
        for fn in _functions(tree)
        if (fn.end_lineno or fn.lineno) - fn.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


def test_our_own_modules_are_imported_at_the_top() -> None:
    local = []
    for path, tree, _ in _modules():
        for fn in _functions(tree):
            for node in ast.walk(fn):
                module = node.module if isinstance(node, ast.ImportFrom) else None
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [module or ""]
                if any(name == "ordena" or name.startswith("ordena.") for name in names):
                    local.append(f"{path}:{node.lineno} in {fn.name}")
    assert local == []
