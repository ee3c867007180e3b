"""Imports run only downward, and none hides inside a function.

The layer contract itself is import-linter's (pyproject.toml, run by ``make test``
before pytest). An import inside a function is how a cycle gets hidden from it:
outside the app factory (``incubator/__init__.py``, the composition root) there
must be none. A lower layer that needs a higher one listens to a signal
(``incubator/signals.py``) or is handed a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import incubator

PACKAGE = Path(incubator.__file__).parent
APP_FACTORY = PACKAGE / "__init__.py"


def _imported_modules(node: ast.Import | ast.ImportFrom, module: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: resolve against the importing module's package
        base = module.split(".")[: -node.level]
        if node.module:
            return [".".join([*base, node.module])]
        return [".".join([*base, alias.name]) for alias in node.names]
    return [node.module or ""]


FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _function_level_imports(source: str, module: str) -> list[str]:
    """``"line module"`` of each import of incubator inside a function."""
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if in_function and isinstance(child, ast.Import | ast.ImportFrom):
                for name in _imported_modules(child, module):
                    if name == "incubator" or name.startswith("incubator."):
                        found.append(f"{child.lineno} {name}")
            visit(child, in_function or isinstance(child, FUNCTIONS))

    visit(ast.parse(source), False)
    return found


def test_no_import_of_the_package_hides_inside_a_function():
    hidden = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == APP_FACTORY:
            continue
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        source = path.read_text(encoding="utf-8")
        hidden += [
            f"{module}: {hit}" for hit in _function_level_imports(source, module)
        ]
    assert hidden == []


def test_the_scan_sees_imports_hidden_in_functions_methods_and_relative_ones():
    source = """
from incubator.extensions import db


def late():
    from incubator.reports import views


class Thing:
    def method(self):
        if True:
            from . import hours
            import incubator.main.views
            from sqlalchemy import func
"""
    assert _function_level_imports(source, "incubator.volunteers.sample") == [
        "6 incubator.reports",
        "12 incubator.volunteers.hours",
        "13 incubator.main.views",
    ]
