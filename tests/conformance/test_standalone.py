"""The kit stands alone: it imports nothing of the server it judges, and a wheel built
from this checkout carries everything it reads (bundles, catalog, baselines)."""

from __future__ import annotations

import ast
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KIT = ROOT / "conformance"
JUDGED = "reference_server"


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module":
            found.update(a.value for a in node.args if isinstance(a, ast.Constant))
    return found


def test_no_conformance_module_imports_the_reference_server() -> None:
    modules = sorted(KIT.rglob("*.py"))
    assert len(modules) > 20
    offenders = {}
    for path in modules:
        judged = sorted(m for m in imported_modules(path) if m.split(".")[0] == JUDGED)
        if judged:
            offenders[str(path.relative_to(ROOT))] = judged
    assert offenders == {}


def kit_imports() -> dict[str, set[str]]:
    """Each kit module and the kit modules it imports (relative imports resolved; a
    package's discovered modules are not imports of it)."""
    graph: dict[str, set[str]] = {}
    for path in KIT.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        package = parts[:-1]
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = list(package[: len(package) - node.level + 1]) if node.level else []
                module = ".".join([*base, *(node.module or "").split(".")]).strip(".")
                found.add(module)
                found.update(f"{module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[name] = found
    return {name: {m for m in found if m in graph and m != name} for name, found in graph.items()}


def test_the_kit_has_no_import_circle() -> None:
    graph = kit_imports()
    assert {"conformance.steps.messages", "conformance.judge"} <= set(graph)
    assert "conformance.session" in graph["conformance.steps.messages"]
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            raise AssertionError("import circle: " + " -> ".join([*path[path.index(name) :], name]))
        if name in done:
            return
        for imported in sorted(graph[name]):
            visit(imported, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def test_importing_every_conformance_module_loads_no_reference_server_code() -> None:
    code = (
        "import importlib, pkgutil, sys, conformance\n"
        "for m in pkgutil.walk_packages(conformance.__path__, 'conformance.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        f"print(sorted(k for k in sys.modules if k.split('.')[0] == {JUDGED!r}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert proc.stdout.strip() == "[]"


def _copy_checkout(into: Path) -> Path:
    """The sources as they are now, without caches: building in place would write build/."""
    skip = shutil.ignore_patterns(
        ".git", ".venv", "*.egg-info", "__pycache__", ".*_cache", "build", "dist", "artifacts"
    )
    return Path(shutil.copytree(ROOT, into, ignore=skip, symlinks=True))


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_the_wheel_runs_the_kit_outside_the_checkout(tmp_path: Path) -> None:
    source = _copy_checkout(tmp_path / "source")
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(wheels),
         str(source)],
        check=True, timeout=600, capture_output=True,
    )  # fmt: skip
    (wheel,) = wheels.glob("*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         str(wheel)],
        check=True, timeout=900, capture_output=True,
    )  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    located = subprocess.run(
        [str(python), "-c", "import conformance.bundles as b; print(b.BUNDLES)"],
        capture_output=True, text=True, cwd=elsewhere, env=env, timeout=60, check=True,
    )  # fmt: skip
    bundles = Path(located.stdout.strip())
    assert bundles.is_relative_to(venv) and not bundles.is_symlink()
    shipped = sorted(str(p.relative_to(bundles)) for p in bundles.rglob("*.json"))
    vendored = sorted(str(p.relative_to(ROOT / "schema" / "codex"))
                      for p in (ROOT / "schema" / "codex").rglob("*.json"))  # fmt: skip
    assert shipped == vendored

    server = shlex.join([str(python), "-m", "reference_server", "app-server"])
    report = elsewhere / "report.json"
    proc = subprocess.run(
        [str(python), "-m", "conformance", "--app-server", server, "-k",
         "account-read-logged-out or api-key-login or device-code-approved",
         "--conformance-baseline", "codex-0.171.0", "--conformance-json", str(report)],
        capture_output=True, text=True, cwd=elsewhere, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    data = json.loads(report.read_text())
    assert data["schema"] == "codex-0.163.0"
    assert data["schema_reason"] == "the server reports 0.163.0"
    assert data["baseline"].endswith("conformance/baselines/codex-0.171.0.yaml")
    assert {s["id"]: s["outcome"] for s in data["scenarios"]} == {
        "account-read-logged-out": "passed",
        "api-key-login": "passed",
        "api-key-login-missing-key": "passed",
        "api-key-login-replaces-pending-device-login": "passed",
        "device-code-approved": "passed",
        "device-code-approved-by-person": "passed",
    }
