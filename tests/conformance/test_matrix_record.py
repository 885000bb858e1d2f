"""``matrix.json``'s release entries: every field a run records survives the file."""

from __future__ import annotations

from dataclasses import fields

from conformance.matrix.record import ReleaseResult


def test_every_field_of_a_release_round_trips() -> None:
    release = ReleaseResult(
        "0.171.0",
        "npm",
        {"a": "passed", "b": "failed"},
        {"b": "server fault, crash: gone"},
        {"fault": "environment", "message": "x"},
        published="2026-11-20",
        server_version="0.171.0",
        schema="codex-0.171.0 (generated)",
        baseline="codex-0.171.0",
        bundle="bundles/0.171.0",
        schema_gaps=["turn/start params.x"],
        seconds={"fetch": 1.5, "run": 20.25},
        shards=["1/2"],
    )
    defaults = {
        f.name: f.default_factory() if callable(f.default_factory) else f.default
        for f in fields(release)
    }
    unset = [name for name, default in defaults.items() if getattr(release, name) == default]
    assert unset == []  # a field added later is set here too, so it is round-tripped
    data = release.to_json()
    assert data["summary"] == {"passed": 1, "failed": 1, "xfailed": 0, "skipped": 0}
    assert ReleaseResult.from_json(data) == release


def test_missing_lists_and_mappings_read_as_empty() -> None:
    release = ReleaseResult.from_json({"version": "0.1.0", "scenarios": None})
    assert release == ReleaseResult("0.1.0")
