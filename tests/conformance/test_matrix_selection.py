"""``--releases`` lists, and the published list they are resolved against (asked of fake
registry clients here; the offline case asks the real ones, pointed at a closed port)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conformance.matrix.published import Published, PublishedRelease, RegistryError
from conformance.matrix.selection import Selection, SelectionError
from conformance.versions import version_key


def published(*versions: str, pypi_up_to: str = "0.163.0") -> Published:
    index = Published()
    for version in versions:
        on_pypi = version_key(version) <= version_key(pypi_up_to)
        index.releases[version] = PublishedRelease(
            ("pypi", "npm") if on_pypi else ("npm",), f"2026-11-{len(index.releases) + 1:02d}"
        )
    return index


INDEX = published("0.133.0", "0.160.0", "0.162.1", "0.163.0", "0.164.0", "0.169.0", "0.171.0")


def resolve(text: str) -> list[str]:
    return Selection.parse(text).resolve(lambda: INDEX)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.171.0,0.133.0,0.163.0", ["0.133.0", "0.163.0", "0.171.0"]),
        ("0.160.0..0.169.0", ["0.160.0", "0.162.1", "0.163.0", "0.164.0", "0.169.0"]),
        ("0.164.0..", ["0.164.0", "0.169.0", "0.171.0"]),
        ("..0.160.0", ["0.133.0", "0.160.0"]),
        ("latest:2", ["0.169.0", "0.171.0"]),
        ("latest:2,0.133.0,0.169.0", ["0.133.0", "0.169.0", "0.171.0"]),
        ("pypi", ["0.133.0", "0.160.0", "0.162.1", "0.163.0"]),
        ("npm", ["0.133.0", "0.160.0", "0.162.1", "0.163.0", "0.164.0", "0.169.0", "0.171.0"]),
        ("pypi,0.164.0..", [*INDEX.versions()]),
    ],
)
def test_lists_resolve_oldest_first_without_duplicates(text: str, expected: list[str]) -> None:
    assert resolve(text) == expected


def test_exact_releases_need_no_registry_even_unpublished_ones() -> None:
    def offline() -> Published:
        raise AssertionError("no registry may be asked")

    assert Selection.parse("0.999.0,0.163.0").resolve(offline) == ["0.163.0", "0.999.0"]
    assert Selection.parse("latest:1").needs_index


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "--releases is empty"),
        ("0.163", "'0.163' is not a release"),
        ("newest", "'newest' is not a release"),
        ("..", "'..' needs at least one end"),
        ("latest:0", "selects nothing"),
        ("0.1.0; rm -rf /", "is not a release"),
    ],
)
def test_bad_lists_are_refused_with_the_bad_item(text: str, message: str) -> None:
    with pytest.raises(SelectionError, match=message):
        Selection.parse(text)


def test_a_range_with_no_release_in_it_says_what_is_published() -> None:
    with pytest.raises(SelectionError, match=r"matches no published release \(published: 7, "):
        resolve("0.140.0..0.150.0")


def test_prereleases_sort_before_their_release() -> None:
    ordered = sorted(["0.162.0", "0.162.0-alpha.15", "0.161.0"], key=version_key)
    assert ordered == ["0.161.0", "0.162.0-alpha.15", "0.162.0"]


def fake_client(tmp_path: Path, name: str, stdout: str, code: int = 0) -> list[str]:
    script = tmp_path / f"{name}.py"
    script.write_text(
        f"import sys\nsys.stdout.write({stdout!r})\n"
        f"sys.stderr.write('{name} error code ENOTFOUND\\n')\nsys.exit({code})\n"
    )
    return [sys.executable, str(script)]


NPM_VIEW = json.dumps(
    {
        "versions": ["0.163.0", "0.163.0-linux-x64", "0.171.0", "0.171.0-linux-x64", "0.172.0",
                     "0.172.0-darwin-arm64", "0.162.0-alpha.15", "0.162.0-alpha.15-linux-x64"],
        "time": {"0.163.0": "2026-10-15T10:00:00Z", "0.171.0": "2026-11-20T00:51:29Z"},
    }
)  # fmt: skip


def test_both_registries_are_united_and_dated(tmp_path: Path) -> None:
    pip = fake_client(tmp_path, "pip", "x (0.163.0)\nAvailable versions: 0.163.0, 0.133.0\n")
    npm = fake_client(tmp_path, "npm", NPM_VIEW)
    found = Published.from_registries(pip=pip, npm=npm)
    # npm's 0.172.0 has no linux-x64 binary, and pre-releases are not releases.
    assert found.versions() == ["0.133.0", "0.163.0", "0.171.0"]
    assert found.releases["0.163.0"] == PublishedRelease(("pypi", "npm"), "2026-10-15")
    assert found.releases["0.133.0"] == PublishedRelease(("pypi",), None)
    assert found.releases["0.171.0"] == PublishedRelease(("npm",), "2026-11-20")
    assert found.warnings == []


def test_one_registry_down_is_a_warning(tmp_path: Path) -> None:
    pip = fake_client(tmp_path, "pip", "", code=1)
    npm = fake_client(tmp_path, "npm", NPM_VIEW)
    found = Published.from_registries(pip=pip, npm=npm)
    assert found.versions() == ["0.163.0", "0.171.0"]
    assert found.warnings == [
        "PyPI could not be asked for its codex releases (pip error code ENOTFOUND); the list "
        "holds the other registry's only"
    ]


def test_offline_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real clients, pointed at a closed port on loopback: nothing leaves the machine."""
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9/")
    monkeypatch.setenv("npm_config_fetch_retries", "0")
    with pytest.raises(RegistryError) as caught:
        Published.from_registries()
    message = str(caught.value)
    assert message.startswith("cannot list the published codex releases: PyPI (")
    assert "ECONNREFUSED 127.0.0.1:9" in message
    assert message.endswith(
        "Offline? Exact versions need no list and run from the cache: --releases 0.163.0,0.171.0"
    )
