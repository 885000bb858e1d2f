"""``releases.write_schema``: the one runner of ``generate-json-schema``, and how each
caller (the matrix's bundles, ``--conformance-own-schema``) says it failed."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.bundles import own_schema
from conformance.matrix.release_bundle import bundle_for
from conformance.releases import SchemaNotGenerated, write_schema
from conformance.schema_check import SchemaSetError


def fake_codex(folder: Path, body: str) -> Path:
    binary = folder / "codex"
    binary.write_text(f"#!/bin/sh\n{body}\n")
    binary.chmod(0o755)
    return binary


def test_it_writes_where_it_is_told(tmp_path: Path) -> None:
    codex = fake_codex(tmp_path, 'mkdir -p "$4" && echo "$1 $2" > "$4/args.txt"')
    out = write_schema([str(codex), "app-server"], tmp_path / "out")
    assert (out / "args.txt").read_text() == "app-server generate-json-schema\n"


def test_a_failure_carries_the_stderr_tail(tmp_path: Path) -> None:
    codex = fake_codex(tmp_path, "echo 'unknown subcommand' >&2; exit 2")
    with pytest.raises(SchemaNotGenerated, match="unknown subcommand"):
        write_schema([str(codex), "app-server"], tmp_path / "out")
    with pytest.raises(SchemaNotGenerated, match="No such file"):
        write_schema([str(tmp_path / "missing"), "app-server"], tmp_path / "out")


def test_each_caller_names_the_failure_its_own_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODEX_KIT_CACHE", str(tmp_path / "cache"))
    codex = fake_codex(tmp_path, "echo 'unknown subcommand' >&2; exit 2")
    with pytest.raises(
        SchemaSetError, match=r"^`codex app-server generate-json-schema` failed: un"
    ):
        own_schema([str(codex), "app-server"], "codex app-server", tmp_path / "own")
    got = bundle_for("9.9.9", codex)
    assert got.folder is None
    assert got.error == "codex 9.9.9 generate-json-schema failed: unknown subcommand"
    assert not (tmp_path / "cache" / "schemas" / "9.9.9.partial").exists()


def test_a_bundle_without_its_request_map_is_no_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODEX_KIT_CACHE", str(tmp_path / "cache"))
    codex = fake_codex(tmp_path, 'mkdir -p "$4"')
    got = bundle_for("9.9.9", codex)
    assert got.error == "codex 9.9.9 generate-json-schema failed: exit 0, no JSON written"
