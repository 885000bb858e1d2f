"""No baseline named: the packaged one of the version the server reports (the nearest older
one, with a warning); ``none`` turns that off; an unknown name lists the packaged ones."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

from conformance.baseline import BASELINES, BaselineError, packaged
from conformance.baseline_choice import choose_packaged, named
from conformance.scenario import CATALOG, catalog_files, load

from .conftest import REFERENCE, RELAY
from .test_plugin import conformance

WORKSPACE = "device-code-workspace-check-failed"


@pytest.mark.parametrize(
    ("version", "name", "warned"),
    [
        ("0.163.0", "codex-0.163.0", False),
        ("0.171.0", "codex-0.171.0", False),
        ("0.167.2", "codex-0.163.0", True),
        ("0.999.0", "codex-0.171.0", True),
        ("0.100.0", None, False),
        (None, None, False),
        ("not-a-version", None, False),
    ],
)
def test_the_version_picks_the_packaged_baseline(
    version: str | None, name: str | None, warned: bool
) -> None:
    choice = choose_packaged(version)
    assert choice.name == name
    assert choice.baseline.source == (str(BASELINES / f"{name}.yaml") if name else "")
    assert (choice.warning is not None) == warned
    if warned:
        assert choice.warning == (
            f"the server reports {version}, which has no packaged baseline; held to the "
            f"nearest older one, {name} (an entry it no longer fails shows as stale; "
            "--conformance-baseline none holds it to none)"
        )


def test_every_packaged_baseline_names_scenarios_of_the_catalog() -> None:
    """A packaged baseline is picked without being named: its entries must exist."""
    ids = {path.stem for path in catalog_files()}
    assert packaged(), "no packaged baseline found: the loop below would check nothing"
    for name in packaged():
        assert named(name).baseline.unknown(ids) == [], name


def test_none_and_unknown_names() -> None:
    assert named("none").baseline.entries == {}
    with pytest.raises(BaselineError) as caught:
        named("codex-0.170.0")
    assert str(caught.value) == (
        "codex-0.170.0: no such file, nor a packaged baseline (" + ", ".join(packaged()) + ")"
    )


def run(tmp_path: Path, server: list[str], *args: str) -> tuple[dict[str, object], str, int]:
    report = tmp_path / "report.json"
    proc = conformance(
        "--app-server", shlex.join(server), "-k", WORKSPACE, "--conformance-json", str(report),
        *args, cwd=tmp_path,
    )  # fmt: skip
    return json.loads(report.read_text()), proc.stdout, proc.returncode


def test_a_server_is_held_to_its_versions_baseline_unless_told_none(tmp_path: Path) -> None:
    """The reference server reports 0.163.0 but stores no tokens before the workspace
    check: held to codex 0.163.0's baseline, that entry is stale; with none, it passes."""
    data, out, code = run(tmp_path, REFERENCE)
    assert code == 1
    assert data["baseline"] == str(BASELINES / "codex-0.163.0.yaml")
    assert data["baseline_reason"] == "packaged codex-0.163.0: the server reports 0.163.0"
    [scenario] = data["scenarios"]  # type: ignore[attr-defined]
    assert scenario["failures"][0]["kind"] == "stale"
    assert "(packaged codex-0.163.0: the server reports 0.163.0)" in out
    data, out, code = run(tmp_path, REFERENCE, "--conformance-baseline", "none")
    assert code == 0, out[-2000:]
    assert (data["baseline"], data["baseline_reason"]) == ("none", "--conformance-baseline none")


def test_a_version_without_a_baseline_gets_the_nearest_older_with_a_warning(
    tmp_path: Path,
) -> None:
    relayed = [sys.executable, str(RELAY), "reports-0.167.2", "--", *REFERENCE]
    data, out, code = run(tmp_path, relayed)
    assert data["server_version"] == "0.167.2"
    assert data["baseline"] == str(BASELINES / "codex-0.163.0.yaml")
    warning = choose_packaged("0.167.2").warning
    assert data["warnings"] == [warning]
    assert f"warning: {warning}" in out
    assert code == 1  # the reference server does not share 0.163.0's deviation: stale


def test_an_unknown_baseline_name_lists_the_packaged_ones(tmp_path: Path) -> None:
    proc = conformance(
        "--app-server", shlex.join(REFERENCE), "--conformance-baseline", "codex-0.170.0",
        cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 4
    assert "codex-0.170.0: no such file, nor a packaged baseline (codex-0.133.0, " in proc.stderr
    assert load(CATALOG / f"{WORKSPACE}.yaml").id == WORKSPACE
