"""The vendored bundles: each is what its release generates, every request method of each
resolves to a result type, and a server is judged by the bundle of its version."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from conformance.bundles import BUNDLES, choose, versions
from conformance.kit import Kit
from conformance.releases import generate_schema
from conformance.result_types import DECLARED
from conformance.schema_check import SchemaCheck, SchemaSetError
from conformance.target import Target

from .conftest import REFERENCE, relay, scenario

ROOT = Path(__file__).resolve().parents[2]
VENDORED = ROOT / "schema" / "codex"
RELEASES = sorted(p.name for p in VENDORED.iterdir() if p.is_dir())


def documents(folder: Path) -> dict[str, Any]:
    """Every file of a bundle, parsed (0.133.0 writes its definitions in varying order)."""
    return {
        str(path.relative_to(folder)): json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_kit_reads_the_vendored_bundles_and_knows_the_newest_releases() -> None:
    assert BUNDLES.resolve() == VENDORED.resolve()
    assert versions() == RELEASES
    assert {"0.133.0", "0.163.0", "0.169.0", "0.171.0"} <= set(RELEASES)


@pytest.mark.real_binary
@pytest.mark.parametrize("version", RELEASES)
def test_a_vendored_bundle_is_what_its_release_generates(version: str, tmp_path: Path) -> None:
    generated = documents(generate_schema(version, tmp_path / version))
    vendored = documents(VENDORED / version)
    assert sorted(vendored) == sorted(generated), f"regenerate: scripts/vendor-schema {version}"
    stale = [name for name in generated if generated[name] != vendored[name]]
    assert stale == [], f"differ from codex {version}: {stale}; scripts/vendor-schema {version}"


@pytest.mark.parametrize("version", RELEASES)
def test_every_request_method_resolves_to_its_result_type(version: str) -> None:
    bundle = SchemaCheck(VENDORED / version)
    assert bundle.unresolved == []
    requests = {**bundle.client_requests, **bundle.server_requests}
    assert set(bundle.result_types) == set(requests)
    for method, result in bundle.result_types.items():
        assert bundle.knows(result), (method, result)
    assert bundle.result_types["account/read"] == "GetAccountResponse"
    assert bundle.result_types["account/logout"] == "LogoutAccountResponse"
    assert bundle.result_types["account/chatgptAuthTokens/refresh"] == (
        "ChatgptAuthTokensRefreshResponse"
    )


def test_the_declared_result_types_are_each_used_by_some_bundle() -> None:
    used = {
        method
        for version in RELEASES
        for method in SchemaCheck(VENDORED / version).client_requests
        if method in DECLARED
    }
    assert used == set(DECLARED)


@pytest.mark.parametrize(
    ("reported", "chosen", "warned"),
    [
        ("0.163.0", "codex-0.163.0", False),
        ("0.171.0", "codex-0.171.0", False),
        ("0.165.2", "codex-0.163.0", False),  # no bundle: the newest not newer
        ("9.0.0", "codex-0.171.0", False),
        ("0.100.0", "codex-0.133.0", True),  # older than every bundle
        (None, "codex-0.171.0", True),  # no parseable version: the newest, with a warning
    ],
)
def test_a_server_is_judged_by_the_bundle_of_its_version(
    reported: str | None, chosen: str, warned: bool
) -> None:
    choice = choose(reported)
    assert choice.name == chosen
    assert (choice.warning is not None) == warned
    assert (reported or "no parseable version") in choice.reason


def test_a_server_reporting_no_version_gets_the_newest_bundle_and_a_warning() -> None:
    with Kit(Target(argv=relay("no-version"))) as kit:
        result = kit.run(scenario("account-read-logged-out"))
    assert result.outcome == "passed", result.explain()
    assert kit.schema_choice is not None
    assert kit.schema_choice.name == f"codex-{RELEASES[-1]}"
    assert kit.schema_choice.warning is not None
    assert "no parseable version" in kit.schema_choice.warning


@pytest.mark.parametrize("broken", ["missing", "empty", "not-a-bundle", "not-json"])
def test_a_missing_or_broken_bundle_is_one_environment_error_naming_the_folder(
    broken: str, tmp_path: Path
) -> None:
    root = tmp_path / "bundles"
    folder = root / "0.163.0"
    if broken != "missing":
        folder.mkdir(parents=True)
    if broken == "not-a-bundle":
        (folder / "README.json").write_text("{}")
    if broken == "not-json":
        shutil.copytree(VENDORED / "0.163.0", folder, dirs_exist_ok=True)
        (folder / "ClientRequest.json").write_text("{not json")
    with Kit(Target(argv=REFERENCE), bundles=root) as kit:
        result = kit.run(scenario("account-read-logged-out"))
    (failure,) = result.failures
    assert (result.outcome, failure.fault, failure.kind) == ("failed", "environment", "setup")
    named = str(root) if broken == "missing" else str(folder)
    assert named in failure.message, failure.message


def test_a_folder_that_is_not_a_bundle_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaSetError, match="no such schema folder"):
        SchemaCheck(tmp_path / "nope")
    with pytest.raises(SchemaSetError, match="not a schema bundle"):
        SchemaCheck(tmp_path)
