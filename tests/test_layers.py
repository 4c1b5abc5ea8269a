"""The packages import each other in one direction only (README, "Layout"): the layers
contract in pyproject.toml, checked by import-linter as CI would run it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _lint_imports() -> str:
    found = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert found, "lint-imports is not installed (pip install -e '.[test]')"
    return found


def test_the_layers_contract_holds() -> None:
    """Guards against an import that runs back up (e.g. the graph layer importing the app,
    or two top-level packages importing each other)."""
    result = subprocess.run([_lint_imports(), "--no-cache"], cwd=REPO, text=True,
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_contract_names_every_top_level_package() -> None:
    """A new top-level package must take its place in the layers, or nothing checks it."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    linter = config["tool"]["importlinter"]
    layered = {name.strip() for layer in linter["contracts"][0]["layers"]
               for name in layer.split("|")}
    packages = {p.parent.name for p in REPO.glob("*/__init__.py")}
    assert packages == set(linter["root_packages"]) == layered


def test_every_module_imports_on_its_own() -> None:
    """No import cycle: each module of ours imports first, with none of ours loaded before
    (a cycle shows only when the wrong module comes first, e.g. ``uvicorn rolegraph.app``)."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    ours = config["tool"]["importlinter"]["root_packages"]
    modules = sorted(".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
                     for package in ours if package != "bench"
                     for p in (REPO / package).rglob("*.py"))
    script = f"""
import importlib, sys
ours = {set(ours)!r}
failed = []
for name in {modules!r}:
    for loaded in [m for m in sys.modules if m.split(".")[0] in ours]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except ImportError as exc:
        failed.append(f"{{name}}: {{exc}}")
print("\\n".join(failed))
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, text=True,
                            capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "", result.stdout
