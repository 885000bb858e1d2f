"""``schema/reference/`` is generated from the protocol models, mirrors upstream's layout
(the vendored 0.163.0 bundle), and describes what the real 0.163.0 binary actually sends."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from conformance.releases import codex_binary
from mock_backend.tenant_handle import MockTenant
from reference_server.schema_gen import BUNDLE_V2, REGENERATE, generate
from tests.support.app_server import AppServer

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema" / "reference"
UPSTREAM_0_163 = ROOT / "schema" / "codex" / "0.163.0"  # held to the binary by test_bundles


def _files(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*.json"))
    }


def test_committed_schema_is_what_the_models_generate(tmp_path: Path) -> None:
    generate(tmp_path)
    expected, committed = _files(tmp_path), _files(SCHEMA)
    stale = sorted(
        name
        for name in expected.keys() | committed.keys()
        if expected.get(name) != committed.get(name)
    )
    assert not stale, (
        f"schema/reference is out of date ({', '.join(stale)}); regenerate with: {REGENERATE}"
    )


def test_same_layout_and_type_names_as_the_real_binary() -> None:
    ours = set(_files(SCHEMA))
    theirs = set(_files(UPSTREAM_0_163))
    assert ours - theirs == set()
    # Every type we define is named as upstream names it (in one of its bundles or files).
    known = {Path(name).stem for name in theirs}
    for bundle in UPSTREAM_0_163.glob("*.schemas.json"):
        known |= set(json.loads(bundle.read_text())["definitions"])
    our_bundle = json.loads((SCHEMA / BUNDLE_V2).read_text())
    assert set(our_bundle["definitions"]) - known == set()


class Validators:
    """Validate a message against one type of the committed bundle."""

    def __init__(self, bundle: dict[str, Any]) -> None:
        self.definitions = bundle["definitions"]

    def errors(self, type_name: str, instance: Any) -> list[str]:
        validator = jsonschema.Draft7Validator(
            {"$ref": f"#/definitions/{type_name}", "definitions": self.definitions}
        )
        return [
            f"{type_name} at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator.iter_errors(instance)
        ]


@pytest.mark.real_binary
def test_what_the_real_binary_sends_validates_against_schema(
    mock_tenant: MockTenant, tmp_path: Path
) -> None:
    validators = Validators(json.loads((SCHEMA / BUNDLE_V2).read_text()))
    checked: list[tuple[str, Any]] = []

    def check(type_name: str, instance: Any) -> None:
        checked.append((type_name, instance))

    mock_tenant.control.script("approved", persona={"email": "ada@example.com"})
    home = tmp_path / "home"
    home.mkdir()
    argv = [str(codex_binary("0.163.0")), "app-server"]
    with AppServer.stdio(argv, mock_tenant.proxy_env(), home) as app:
        init_params = {"clientInfo": {"name": "kit", "version": "1"}}
        check("InitializeParams", init_params)
        check("InitializeResponse", app.call("initialize", init_params)["result"])
        app.session.notify("initialized")
        check("GetAccountResponse", app.call("account/read", {"refreshToken": False})["result"])

        api_key = {"type": "apiKey", "apiKey": "sk-test-123"}
        check("LoginAccountParams", api_key)
        check("LoginAccountResponse", app.call("account/login/start", api_key)["result"])
        check(
            "AccountLoginCompletedNotification",
            app.notification("account/login/completed")["params"],
        )
        check("AccountUpdatedNotification", app.notification("account/updated")["params"])
        check("GetAccountResponse", app.call("account/read", {})["result"])
        check("LogoutAccountResponse", app.call("account/logout")["result"])
        check("AccountUpdatedNotification", app.notification("account/updated")["params"])

        device = app.call("account/login/start", {"type": "chatgptDeviceCode"})["result"]
        check("LoginAccountResponse", device)
        check(
            "AccountLoginCompletedNotification",
            app.notification("account/login/completed")["params"],
        )
        check("AccountUpdatedNotification", app.notification("account/updated")["params"])
        check("GetAccountResponse", app.call("account/read", {})["result"])
        check("GetAccountRateLimitsResponse", app.call("account/rateLimits/read")["result"])
        cancel = {"loginId": "6f1c9a52-4d9e-4a55-9b5b-2f3f3f3f3f3f"}
        check("CancelLoginAccountParams", cancel)
        check("CancelLoginAccountResponse", app.call("account/login/cancel", cancel)["result"])

    problems = [p for type_name, value in checked for p in validators.errors(type_name, value)]
    assert problems == []
    assert len(checked) == 17


def test_the_validators_reject_what_is_wrong() -> None:
    validators = Validators(json.loads((SCHEMA / BUNDLE_V2).read_text()))
    assert validators.errors("AccountUpdatedNotification", {"authMode": "chatgpt"}) == []
    assert validators.errors("AccountUpdatedNotification", {"authMode": "password"})
    assert validators.errors("LoginAccountParams", {"type": "apiKey"})  # apiKey missing
    assert validators.errors("CancelLoginAccountResponse", {"status": "cancelled"})
    assert validators.errors("GetAccountResponse", {"account": None})  # requiresOpenaiAuth


def test_the_cli_writes_the_committed_schema(tmp_path: Path) -> None:
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "reference_server",
            "app-server",
            "generate-json-schema",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert _files(tmp_path) == _files(SCHEMA)


def test_committed_typescript_is_what_the_models_generate(tmp_path: Path) -> None:
    from reference_server.ts_gen import REGENERATE_TS, generate_ts

    generate_ts(tmp_path)
    expected = {p.name: p.read_text() for p in tmp_path.glob("*.ts")}
    committed = {p.name: p.read_text() for p in (SCHEMA / "typescript").glob("*.ts")}
    stale = sorted(
        n for n in expected.keys() | committed.keys() if expected.get(n) != committed.get(n)
    )
    assert not stale, (
        f"schema/reference/typescript is out of date ({stale}); regenerate with: {REGENERATE_TS}"
    )
    assert (
        'export type LoginAccountParams = { type: "apiKey", apiKey: string }'
        in expected["LoginAccountParams.ts"]
    )
