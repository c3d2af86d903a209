"""The import rules hold: the import-linter contracts in pyproject.toml, and no project import inside a function."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("checklists", "phb_readiness")
# Project modules that may be imported inside a function: they load a heavy library on import.
HEAVY = {"phb_readiness.reports.pdf": "loads WeasyPrint, slow to import: imported only where a PDF is rendered"}
OPTIONAL_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}


def test_the_import_linter_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    command = str(lint_imports) if lint_imports.exists() else shutil.which("lint-imports")
    assert command, "lint-imports is not installed: pip install -e '.[dev]'"
    run = subprocess.run(  # noqa: S603 - our own tool, no input from outside
        [command, "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr


def _is_project(module: str) -> bool:
    return any(module == package or module.startswith(f"{package}.") for package in PACKAGES)


def _catches_import_error(node: ast.Try) -> bool:
    for handler in node.handlers:
        caught = handler.type
        names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
        if any(isinstance(name, ast.Name) and name.id in OPTIONAL_IMPORT_ERRORS for name in names):
            return True
    return False


def _function_level_project_imports(path: Path) -> list[str]:
    """`path:line: import` for each import of project code inside a function of this file, except those allowed:
    in apps.py (imported while the app registry loads, before models may be: its functions, AppConfig.ready and the
    receivers it connects, import project code when they run), a heavy module (HEAVY), and an import tried for an
    optional module (inside try/except ImportError)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[str] = []

    def visit(node: ast.AST, function: str | None, optional: bool) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.Try) and _catches_import_error(node):
            for child in node.body:
                visit(child, function, True)
            for child in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(child, function, optional)
            return
        if function is not None and isinstance(node, ast.Import | ast.ImportFrom):
            if isinstance(node, ast.ImportFrom):
                modules = [f"{'.' * node.level}{node.module or ''}"] if node.level else [node.module or ""]
            else:
                modules = [alias.name for alias in node.names]
            for module in modules:
                relative = module.startswith(".")
                allowed = optional or module in HEAVY or path.name == "apps.py" or not (relative or _is_project(module))
                if not allowed:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)} (in {function}())")
        for child in ast.iter_child_nodes(node):
            visit(child, function, optional)

    visit(tree, None, False)
    return found


def test_no_project_import_inside_a_function():
    """Project code is imported at the top of a module. An import inside a function hides a cycle between layers:
    move the code to the layer it belongs to instead."""
    found = [
        line
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        for line in _function_level_project_imports(path)
    ]
    assert not found, "Imports of project code inside functions:\n" + "\n".join(found)


def test_the_walker_finds_an_import_inside_a_function(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    module = tmp_path / "example.py"
    module.write_text(
        "import checklists.models\n"
        "def f():\n"
        "    from checklists.services import responses\n"
        "    import json\n"
        "    try:\n"
        "        from phb_readiness.optional import thing\n"
        "    except ImportError:\n"
        "        pass\n"
        "    from phb_readiness.reports.pdf import pdf_render\n"
        "class C:\n"
        "    def g(self):\n"
        "        from . import sibling\n"
    )
    assert _function_level_project_imports(module) == [
        "example.py:3: from checklists.services import responses (in f())",
        "example.py:12: from . import sibling (in g())",
    ]
