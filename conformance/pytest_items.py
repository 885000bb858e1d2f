"""Scenario files as pytest collectors, scenarios as pytest items, catalogs as folders.

A scenario file is one collector holding one item, marked ``conformance`` and with each
of its tags (``-m device-code``, ``-m "login and not slow"``; pytest's ``-m`` takes
dashes in names, so tags are markers as written). Node ids are short and as the user
would write the file: ``catalog/NAME.yaml::NAME`` for the packaged catalog, the path
relative to the current folder for a user's; a long site-packages path would wrap every
progress line of an 80-column CI log.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .kit import Kit
from .method_names import KnownMethods
from .results import Failure, ScenarioResult
from .scenario import CATALOG, Scenario, ScenarioFileError, load, shown

#: The name of the ``user_properties`` entry carrying a scenario's report entry (JSON).
PROPERTY = "conformance"
#: The marker every scenario carries (``-m conformance``, ``-m "not conformance"``).
MARKER = "conformance"
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Catalogs:
    """The folders whose scenario files are collected: the packaged catalog, then the
    user's (``--conformance-catalog``), each once."""

    folders: tuple[Path, ...]

    @classmethod
    def of(cls, given: list[str]) -> Catalogs:
        """The catalogs; ValueError for a folder that is not there or an id used twice."""
        folders = [CATALOG]
        for text in given:
            folder = Path(text).resolve()
            if not folder.is_dir():
                raise ValueError(f"--conformance-catalog {text}: no such folder")
            if folder not in folders:
                folders.append(folder)
        catalogs = cls(tuple(folders))
        seen: dict[str, Path] = {}
        for path in catalogs.files():
            if path.stem in seen:
                raise ValueError(
                    f"scenario id {path.stem!r} is defined twice: {shown(seen[path.stem])} and "
                    f"{shown(path)} (the file name is the id: rename one)"
                )
            seen[path.stem] = path
        return catalogs

    def files(self) -> list[Path]:
        return [
            path
            for folder in self.folders
            for path in sorted(folder.iterdir())
            if path.suffix in SUFFIXES and path.is_file()
        ]

    def holds(self, path: Path) -> bool:
        """Whether ``path`` is one of the catalogs or a scenario file in one."""
        resolved = path.resolve()
        return resolved in self.folders or (
            resolved.suffix in SUFFIXES and resolved.parent in self.folders
        )


class ScenarioFile(pytest.File):
    methods: KnownMethods | None = None
    kit: Kit | None = None

    @classmethod
    def of(
        cls, parent: pytest.Collector, path: Path, methods: KnownMethods, kit: Kit
    ) -> ScenarioFile:
        made: ScenarioFile = cls.from_parent(parent, path=path, nodeid=shown(path))
        made.methods, made.kit = methods, kit
        return made

    def collect(self) -> Iterator[ScenarioItem]:
        try:
            scenario = load(self.path, self.methods)
        except ScenarioFileError as exc:
            raise self.CollectError(f"kit fault, setup: {exc}") from None
        assert self.kit is not None
        item: ScenarioItem = ScenarioItem.from_parent(
            self, name=scenario.id, scenario=scenario, kit=self.kit
        )
        yield item


class ScenarioFailed(Exception):
    """Its first line (pytest's short summary shows it) is the title and whose fault."""

    def __init__(self, result: ScenarioResult) -> None:
        kinds = ", ".join(sorted({f"{f.fault}/{f.kind}" for f in result.failures}))
        super().__init__(f"{result.title}: {kinds}\n{result.explain()}")
        self.result = result


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Scenario, kit: Kit, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.kit = kit
        self.add_marker(MARKER)
        for tag in scenario.tags:
            self.config.addinivalue_line("markers", f"{tag}: scenario tag of the conformance kit")
            self.add_marker(tag)

    def runtest(self) -> None:
        kit = self.kit.start()
        result = kit.run(self.scenario)
        self.user_properties.append((PROPERTY, json.dumps(kit.entry(result))))
        if result.outcome == "skipped":
            pytest.skip(result.reason or "does not apply")
        if result.outcome == "xfailed":
            pytest.xfail(f"known deviation: {result.reason}")
        if result.outcome == "failed":
            raise ScenarioFailed(result)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, ScenarioFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario {self.scenario.id}: {self.scenario.title}"


class RunError(Exception):
    """What kept the selected scenarios from running, as the report words it."""


class RunErrorItem(pytest.Item):
    """Stands, as one failed test, for the scenarios an error of the run kept from running
    (a server that cannot be judged, a backend nobody answers): pytest's summary line and
    a JUnit file then show the failure a CI step reads, not "no tests ran"."""

    def __init__(self, *, failure: Failure, scenarios: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.failure = failure
        self.scenarios = scenarios
        self.add_marker(MARKER)

    @classmethod
    def standing_for(cls, items: list[ScenarioItem], failure: Failure) -> RunErrorItem:
        made: RunErrorItem = cls.from_parent(
            items[0].session, name=f"{failure.fault}-error",
            nodeid=f"conformance::{failure.fault}-error", failure=failure, scenarios=len(items),
        )  # fmt: skip
        return made

    def runtest(self) -> None:
        raise RunError(
            f"{self.failure.heading}: {self.failure.message}\n"
            f"{self.scenarios} selected scenarios were not run"
        )

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        if isinstance(excinfo.value, RunError):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return Path("conformance"), 0, f"{self.scenarios} scenarios not run"
