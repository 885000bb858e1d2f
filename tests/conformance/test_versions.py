"""One definition of version order and of "the newest known release not newer than X",
which the schema bundle choice, the baseline choice and the matrix share."""

from __future__ import annotations

from conformance.versions import is_release, is_stable, nearest_not_newer, version_key


def test_versions_order_by_number_with_a_pre_release_first() -> None:
    ordered = ["0.9.0", "0.161.0", "0.162.0-alpha.15", "0.162.0", "0.162.1", "1.0.0"]
    assert sorted(reversed(ordered), key=version_key) == ordered


def test_the_nearest_known_release_not_newer() -> None:
    known = ["0.171.0", "0.133.0", "0.163.0", "0.169.0"]
    assert nearest_not_newer("0.163.0", known) == "0.163.0"
    assert nearest_not_newer("0.168.5", known) == "0.163.0"
    assert nearest_not_newer("0.200.0", known) == "0.171.0"
    assert nearest_not_newer("0.100.0", known) is None  # numbers, not text: 0.100 < 0.133
    assert nearest_not_newer("0.171.0", []) is None


def test_what_counts_as_a_version() -> None:
    assert is_stable("0.171.0") and is_release("0.171.0")
    assert not is_stable("0.162.0-alpha.15") and is_release("0.162.0-alpha.15")
    for bad in ("0.171", "v0.171.0", "latest", "0.171.0 "):
        assert not is_release(bad)
