"""Dependencies point one way (STYLE.md rule 13): the apps import reex/, never the reverse."""

import ast
import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.conf import settings

REEX_DIR = Path(settings.BASE_DIR) / "reex"


def _project_apps() -> set[str]:
    """The apps that live in this repository (not reex itself, not installed libraries)."""
    base = Path(settings.BASE_DIR).resolve()
    return {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == base and config.name != "reex"
    }


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    # Every import statement, at module level or hidden inside a function (a lazy import is still a dependency).
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_the_project_apps_are_found():
    assert {"articles", "comments", "newsletter"} <= _project_apps()


def test_a_lazy_import_inside_a_function_is_found(tmp_path):
    module = tmp_path / "lazy.py"
    module.write_text("import os\n\ndef f():\n    from articles.models import Article\n    import comments.services\n")
    assert _imported_modules(module) == [(1, "os"), (4, "articles.models"), (5, "comments.services")]


def test_no_reex_module_imports_an_app():
    app_names = _project_apps() - {"bench"}  # bench is dev tooling, not a product app (reex/urls.py's ceiling)
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{line} imports {module}"
        for path in sorted(REEX_DIR.rglob("*.py"))
        for line, module in _imported_modules(path)
        if module.split(".")[0] in app_names
    ]
    assert offenders == []


def test_the_import_contracts_hold():
    # The same contracts CI runs (.importlinter): reex imports no app, no cycles within an app.
    done = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken." in done.stdout
