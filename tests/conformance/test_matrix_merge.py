"""``matrix --merge``: the folders of many CI jobs (one release, or one shard, each) make
one matrix; the gate is computed over the bundles the jobs carried."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conformance.bundles import BUNDLES
from conformance.matrix.cli import main
from conformance.matrix.merge import MergeError, merge
from conformance.matrix.outputs import write_outputs
from conformance.matrix.record import Matrix, ReleaseResult
from mock_backend.version import kit_version


def job(folder: Path, *releases: ReleaseResult) -> Path:
    write_outputs(Matrix(releases=list(releases), titles={"a": "A", "b": "B"}), folder)
    return folder


def test_shards_of_one_release_unite_and_the_gate_spans_the_jobs(tmp_path: Path) -> None:
    first = job(
        tmp_path / "shard1",
        ReleaseResult("0.163.0", "venv", {"a": "passed"}, bundle="vendored", shards=["1/2"]),
    )
    second_release = ReleaseResult(
        "0.163.0", "venv", {"b": "failed"}, {"b": "server fault, mismatch: $.x"}, shards=["2/2"]
    )
    newer = ReleaseResult("9.9.9", "npm", {"a": "passed", "b": "passed"}, bundle="bundles/9.9.9")
    second = job(tmp_path / "shard2", second_release, newer)
    shutil.copytree(BUNDLES / "0.171.0", second / "bundles" / "9.9.9")

    out = tmp_path / "merged"
    merged = merge([first, second], out)
    write_outputs(merged, out)

    data = json.loads((out / "matrix.json").read_text())
    assert data["kit_version"] == kit_version()
    assert data["warnings"] == []
    assert f"codex-app-server-kit {kit_version()}" in (out / "matrix.md").read_text()
    old, new = data["releases"]
    assert old["scenarios"] == {"a": "passed", "b": "failed"}
    assert old["shards"] == ["1/2", "2/2"]
    assert old["reasons"] == {"b": "server fault, mismatch: $.x"}
    assert old["bundle"] == "vendored"
    assert new["version"] == "9.9.9"
    assert (out / "bundles" / "9.9.9" / "ClientRequest.json").is_file()
    [step] = data["compat"]
    assert (step["from"], step["to"]) == ("0.163.0", "9.9.9")
    assert "GetAccountResponse.account.oneOf[gcp]" in {f["path"] for f in step["errors"]}
    assert main(["--merge", str(first), str(second), "--out", str(tmp_path / "cli")]) == 1


def test_jobs_run_by_another_kit_are_merged_with_a_warning(tmp_path: Path) -> None:
    one = job(tmp_path / "one", ReleaseResult("0.163.0", "venv", {"a": "passed"}))
    data = json.loads((one / "matrix.json").read_text())
    (one / "matrix.json").write_text(json.dumps({**data, "kit_version": "0.0.1"}))
    merged = merge([one], tmp_path / "out")
    assert merged.warnings == [
        f"{one} was run by codex-app-server-kit 0.0.1, this merge by {kit_version()}: "
        "their catalogs may differ"
    ]


def test_two_jobs_that_disagree_on_a_scenario_are_not_merged(tmp_path: Path) -> None:
    one = job(tmp_path / "one", ReleaseResult("0.163.0", "venv", {"a": "passed"}))
    two = job(tmp_path / "two", ReleaseResult("0.163.0", "venv", {"a": "failed"}))
    with pytest.raises(MergeError, match="a is failed there but passed in an earlier folder"):
        merge([one, two], tmp_path / "out")


def test_a_folder_without_a_matrix_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    code = main(["--merge", str(tmp_path / "empty"), "--out", str(tmp_path / "out")])
    assert code == 2
    assert "empty: no matrix.json (is it a matrix output folder?)" in capsys.readouterr().err
    assert not (tmp_path / "out" / "matrix.json").exists()


def test_two_shard_jobs_merge_into_the_whole_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the CI recipe runs it: one job per shard of a release, then --merge."""
    from conformance import releases

    from .matrix_fakes import fake_release

    cache = tmp_path / "cache"
    monkeypatch.setenv("CODEX_KIT_CACHE", str(cache))
    monkeypatch.setattr(releases, "_install_from_pypi", lambda v, s: "not on PyPI")
    monkeypatch.setattr(releases, "_install_from_npm", lambda v, s: "not on npm")
    fake_release(cache, "9.1.0")
    chosen = ["-k", "handshake or unknown-method or logout", "-n", "0"]
    parts = []
    for shard in ("1/2", "2/2"):
        parts.append(tmp_path / f"part{shard[0]}")
        args = ["--releases", "9.1.0", "--shard", shard, "--out", str(parts[-1])]
        assert main([*args, *chosen]) == 0
    assert main(["--releases", "9.1.0", "--out", str(tmp_path / "whole"), *chosen]) == 0
    assert main(["--merge", *map(str, parts), "--out", str(tmp_path / "merged")]) == 0

    def scenarios(folder: Path) -> dict[str, str]:
        [release] = json.loads((folder / "matrix.json").read_text())["releases"]
        return dict(release["scenarios"])

    first, second = scenarios(parts[0]), scenarios(parts[1])
    assert first and second and not set(first) & set(second)
    assert scenarios(tmp_path / "merged") == scenarios(tmp_path / "whole") == {**first, **second}
    [merged] = json.loads((tmp_path / "merged" / "matrix.json").read_text())["releases"]
    assert merged["shards"] == ["1/2", "2/2"]
