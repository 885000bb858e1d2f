"""``--shard I/N``: parts that never overlap, make up the whole catalog, differ in size by
one at most, and are the same in every job; in the plugin as users run it."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from conformance.scenario import catalog_files, load_catalog
from conformance.shard import ShardError, in_shard, parse_shard

from .conftest import REFERENCE
from .test_plugin import conformance

IDS = [path.stem for path in catalog_files()]


@pytest.mark.parametrize("count", [1, 2, 3, 7, len(IDS), len(IDS) + 5])
def test_shards_partition_the_catalog_evenly(count: int) -> None:
    parts = [in_shard(IDS, index, count) for index in range(1, count + 1)]
    assert set().union(*parts) == set(IDS)
    assert sum(len(part) for part in parts) == len(IDS)
    sizes = [len(part) for part in parts]
    assert max(sizes) - min(sizes) <= 1


def test_the_split_depends_on_the_ids_only_not_their_order() -> None:
    assert in_shard(IDS, 2, 3) == in_shard(reversed(IDS), 2, 3)
    assert in_shard(["c", "a", "b", "d"], 1, 2) == {"a", "c"}


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0", "-1/2"])
def test_bad_shards_are_refused(text: str) -> None:
    with pytest.raises(ShardError, match=rf"--shard {text!r}"):
        parse_shard(text)


def test_two_shards_of_a_run_are_the_whole_run(tmp_path: Path) -> None:
    chosen = "handshake or unknown-method or logout or string-request-ids"
    ran: list[set[str]] = []
    for index in (1, 2):
        report = tmp_path / f"shard{index}.json"
        proc = conformance(
            "--app-server", shlex.join(REFERENCE), "-k", chosen, "--shard", f"{index}/2",
            "--conformance-json", str(report), cwd=tmp_path,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout[-2000:]
        assert "deselected" in proc.stdout
        ran.append({s["id"] for s in json.loads(report.read_text())["scenarios"]})
    words = chosen.split(" or ")  # -k matches an id, or a tag (tags are markers)
    everything = {
        s.id for s in load_catalog() if any(w in name for w in words for name in (s.id, *s.tags))
    }
    assert len(everything) >= 6
    assert ran[0] | ran[1] == everything
    assert not ran[0] & ran[1]
    assert ran[0] == in_shard(everything, 1, 2)


def test_a_bad_shard_is_a_usage_error(tmp_path: Path) -> None:
    proc = conformance("--app-server", shlex.join(REFERENCE), "--shard", "3/2", cwd=tmp_path)
    assert proc.returncode == 4
    assert "--shard '3/2': I must be between 1 and N" in proc.stderr
