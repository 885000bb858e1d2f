"""The kit's pytest entry point costs a user's plain ``pytest`` nothing and takes no names
from it: a project with packages of its own named ``conformance`` or ``mock_backend`` runs
its tests as before, and runs the kit with the ``codex-conformance`` console script."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

from .conftest import REFERENCE

BIN = Path(sys.executable).parent
KIT_PACKAGES = ("conformance", "mock_backend", "reference_server")


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, cwd=cwd, timeout=300, check=False)


def test_the_pytest11_entry_point_is_one_uniquely_named_module() -> None:
    ours = [
        ep
        for ep in entry_points(group="pytest11")
        if ep.dist and ep.dist.name == "codex-app-server-kit"
    ]
    assert [(ep.name, ep.value) for ep in ours] == [
        ("codex-app-server-kit", "codex_app_server_kit_plugin")
    ]


def test_importing_the_entry_point_imports_nothing_of_the_kit() -> None:
    code = (
        "import sys, codex_app_server_kit_plugin\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {KIT_PACKAGES!r}))"
    )
    proc = run([sys.executable, "-c", code], Path.cwd())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def own_project(root: Path) -> Path:
    """A user's project whose own packages are named like the kit's."""
    for package in ("conformance", "mock_backend"):
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text(f'NAME = "the project\'s own {package}"\n')
    (root / "tests").mkdir()
    (root / "tests" / "test_own.py").write_text(
        "import conformance, mock_backend\n"
        "import sys\n\n"
        "def test_own_packages():\n"
        '    assert conformance.NAME == "the project\'s own conformance"\n'
        '    assert mock_backend.NAME == "the project\'s own mock_backend"\n\n'
        "def test_no_kit_module_was_loaded():\n"
        "    assert not [m for m in sys.modules if m.startswith(('conformance.', "
        "'mock_backend.', 'reference_server'))]\n"
    )
    (root / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["."]\n')
    return root


def test_a_project_with_its_own_conformance_package_runs_plain_pytest(tmp_path: Path) -> None:
    """With the kit's plugin importing ``conformance`` at every start, this was a
    ModuleNotFoundError (or the kit's package in place of the project's)."""
    project = own_project(tmp_path / "project")
    proc = run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"], project)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "2 passed" in proc.stdout


def test_that_project_runs_the_kit_with_the_console_script(tmp_path: Path) -> None:
    project = own_project(tmp_path / "project")
    (project / "conftest.py").write_text("raise SystemExit('the project conftest must not load')\n")
    report = project / "report.json"
    proc = run(
        [str(BIN / "codex-conformance"), "--app-server", shlex.join(REFERENCE),
         "-k", "handshake-required", "--conformance-json", str(report)],
        project,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert [s["id"] for s in json.loads(report.read_text())["scenarios"]] == ["handshake-required"]


def test_in_that_project_pytest_app_server_says_to_use_the_console_script(
    tmp_path: Path,
) -> None:
    project = own_project(tmp_path / "project")
    proc = run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--app-server",
         shlex.join(REFERENCE)],
        project,
    )  # fmt: skip
    assert proc.returncode == 4
    assert "is not the kit's" in proc.stderr and "codex-conformance --app-server CMD" in (
        proc.stderr
    )


def test_the_mock_backend_fixtures_still_come_with_the_plugin(tmp_path: Path) -> None:
    (tmp_path / "test_fixture.py").write_text(
        "def test_a_tenant(mock_tenant, mock_model):\n"
        "    assert mock_tenant.ready.control.endswith('/_mock')\n"
        "    assert mock_model is not None\n"
    )
    proc = run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"], tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "1 passed" in proc.stdout
