"""The run's report: a JSON document (``scenarios`` at the top), Markdown for CI job
pages, and the console summary. All three are built from the same results.

Each names the kit's version, the schema bundle the server was judged by and why
(``schema``, ``schema_reason``), what the kit removed from the servers' environment,
and lists the release's *schema gaps*: what the server sent that its bundle does not
declare, gathered from every scenario's warnings. Errors of the run as a whole (a server
that cannot be started, a backend that does not answer, a scenario file that is no
scenario) are listed once, and fail the run; so does an interruption, which marks the
report ``partial``."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mock_backend.version import kit_version

from .baseline_choice import NONE
from .results import Failure, ScenarioResult

OUTCOMES = ("passed", "failed", "xfailed", "skipped")
#: How a scenario the run could not start says so (its one failure's message begins so).
NOT_RUN = "not run: "


@dataclass
class RunReport:
    server: str
    server_version: str | None
    schema: str
    baseline: str | None
    results: list[ScenarioResult] = field(default_factory=list)
    wall_seconds: float = 0.0
    schema_reason: str | None = None
    #: About the run as a whole (e.g. no parseable version: judged by the newest bundle).
    warnings: list[str] = field(default_factory=list)
    baseline_reason: str | None = None
    #: What failed the run as a whole (each listed once; scenarios it kept from running
    #: are failed, "not run").
    errors: list[Failure] = field(default_factory=list)
    #: How the run was cut short (``SIGTERM``, ``Ctrl-C``), None when it ran to the end.
    interrupted: str | None = None
    #: How many scenarios were selected to run (None: not known; the results' count).
    selected: int | None = None
    #: Variable names removed from, and set in, the environment of the servers started.
    server_environment: dict[str, list[str]] = field(default_factory=dict)
    kit_version: str = field(default_factory=kit_version)

    @classmethod
    def from_entries(
        cls,
        server: str,
        baseline: str | None,
        entries: list[dict[str, Any]],
        wall_seconds: float,
        schema: str = "(no scenario ran)",
        schema_reason: str | None = None,
        errors: list[Failure] | None = None,
        interrupted: str | None = None,
        selected: int | None = None,
        server_environment: dict[str, list[str]] | None = None,
    ) -> RunReport:
        """The report of a run from its entries (``Kit.entry``: a result and what judged
        it), wherever they were made: xdist workers each choose the bundle for
        themselves, and agree unless the server changed under them. ``schema``: what
        the report names when no entry names one (no scenario ran)."""
        versions = sorted({str(e["server_version"]) for e in entries if e.get("server_version")})
        chosen = sorted({(e["schema"], e["schema_reason"]) for e in entries if e.get("schema")})
        if chosen:
            schema = " + ".join(name for name, _ in chosen)
            schema_reason = "; ".join(reason for _, reason in chosen)
        held = sorted(
            {(e.get("baseline") or NONE, e["baseline_reason"]) for e in entries
             if e.get("baseline_reason")}
        )  # fmt: skip
        if held:
            baseline = " + ".join(name for name, _ in held)
        warned = {str(e[key]) for e in entries for key in ("schema_warning", "baseline_warning")
                  if e.get(key)}  # fmt: skip
        return cls(
            server=server,
            server_version=versions[0] if versions else None,
            schema=schema,
            baseline=baseline,
            results=[ScenarioResult.from_json(entry) for entry in entries],
            wall_seconds=wall_seconds,
            schema_reason=schema_reason,
            warnings=sorted(warned),
            baseline_reason="; ".join(reason for _, reason in held) if held else None,
            errors=list(errors or []),
            interrupted=interrupted,
            selected=selected,
            server_environment=dict(server_environment or {}),
        )

    @property
    def partial(self) -> bool:
        return self.interrupted is not None

    @property
    def verdict(self) -> str:
        """``passed``, ``failed`` (a scenario or the run), or ``partial`` (interrupted)."""
        if self.partial:
            return "partial"
        return "failed" if self.counts()["failed"] or self.errors else "passed"

    def not_run(self) -> list[ScenarioResult]:
        """Scenarios a run error kept from running."""
        return [
            r
            for r in self.results
            if len(r.failures) == 1 and r.failures[0].message.startswith(NOT_RUN)
        ]

    def cut_short(self) -> str:
        """``interrupted (SIGTERM) after 12 of 43 scenarios``."""
        of = f" of {self.selected}" if self.selected is not None else ""
        return f"interrupted ({self.interrupted}) after {len(self.results)}{of} scenarios"

    def counts(self) -> dict[str, int]:
        found: Counter[str] = Counter(r.outcome for r in self.results)
        return {outcome: found[outcome] for outcome in OUTCOMES}

    def faults(self) -> dict[str, int]:
        failed = [r for r in self.results if r.outcome == "failed"]
        return dict(Counter(f.fault for r in failed for f in r.failures))

    def schema_gaps(self) -> list[dict[str, Any]]:
        """Each undeclared field or method once, with the scenarios that met it."""
        gaps: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        for result in sorted(self.results, key=lambda r: r.id):
            for warning in result.warnings:
                direction, method, schema_type, path = warning.gap
                entry = gaps.setdefault(
                    warning.gap,
                    {
                        "kind": warning.kind,
                        "sent_by": "server" if direction == "in" else "kit",
                        "method": method,
                        "type": schema_type,
                        "path": path,
                        "scenarios": [],
                    },
                )
                entry["scenarios"].append(result.id)
        return sorted(gaps.values(), key=lambda g: (g["sent_by"], g["method"], g["path"]))

    def validation_share(self) -> float:
        busy = sum(r.duration for r in self.results)
        return sum(r.validation_seconds for r in self.results) / busy if busy else 0.0

    def to_json(self) -> dict[str, Any]:
        ordered = sorted(self.results, key=lambda r: r.id)
        return {
            "kit_version": self.kit_version,
            "verdict": self.verdict,
            "partial": self.partial,
            "interrupted": self.interrupted,
            "server": self.server,
            "server_version": self.server_version,
            "schema": self.schema,
            "schema_reason": self.schema_reason,
            "baseline": self.baseline,
            "baseline_reason": self.baseline_reason,
            "server_environment": self.server_environment,
            "errors": [error.to_json() for error in self.errors],
            "warnings": self.warnings,
            "summary": {
                **self.counts(),
                "errors": len(self.errors),
                "total": len(self.results),
                "selected": self.selected if self.selected is not None else len(self.results),
                "warnings": sum(len(r.warnings) for r in ordered),
                "wall_seconds": round(self.wall_seconds, 3),
                "validation_seconds": round(sum(r.validation_seconds for r in ordered), 4),
            },
            "schema_gaps": self.schema_gaps(),
            "scenarios": [r.to_json() for r in ordered],
        }

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")

    def headline(self) -> str:
        """The verdict in words: ``passed``, ``failed``, ``partial: interrupted (...) ...``."""
        return f"partial: {self.cut_short()}" if self.partial else self.verdict

    def markdown(self) -> str:
        counts = self.counts()
        mark = {"passed": "✅", "failed": "❌", "partial": "⚠️"}[self.verdict]
        version = f" {self.server_version}" if self.server_version else ""
        not_run = {r.id for r in self.not_run()}
        lines = [
            f"## App-server conformance: {mark} {self.headline()}",
            "",
            f"Server: `{self.server}`{version} · schema: `{self.schema}`"
            + (f" ({self.schema_reason})" if self.schema_reason else "")
            + (f" · baseline: `{self.baseline}`" if self.baseline else "")
            + (f" ({self.baseline_reason})" if self.baseline_reason else "")
            + f" · kit {self.kit_version}",
            "",
            *(f"> ❌ **{e.heading}**: {cell(e.message)}\n" for e in self.errors),
            *(f"> ⚠️ {warning}\n" for warning in self.warnings),
            " · ".join(f"**{counts[o]}** {o}" for o in OUTCOMES)
            + (f" (**{len(not_run)}** of them not run)" if not_run else ""),
            "",
            "| Scenario | Title | Outcome | Time | Details |",
            "|---|---|---|---:|---|",
        ]
        for result in sorted(self.results, key=lambda r: (r.outcome != "failed", r.id)):
            details = "; ".join(f"{f.heading}: {first_line(f.message)}" for f in result.failures)
            if result.outcome in ("xfailed", "skipped", "passed") and result.reason:
                details = result.reason
            outcome = "not run" if result.id in not_run else result.outcome
            lines.append(
                f"| `{result.id}` | {cell(result.title)} | {outcome} | "
                f"{result.duration:.2f} s | {cell(details)} |"
            )
        if gaps := self.schema_gaps():
            lines += ["", f"### Schema gaps of `{self.schema}` (warnings, not failures)", ""]
            lines += ["| Sent by | Method | Where | Type | Scenarios |", "|---|---|---|---|---:|"]
            lines += [
                f"| {g['sent_by']} | `{g['method']}` | `{g['path']}` | `{g['type']}` | "
                f"{len(g['scenarios'])} |"
                for g in gaps
            ]
        return "\n".join(lines) + "\n"

    def write_markdown(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.markdown())

    def console(self) -> list[str]:
        counts = self.counts()
        removed = self.server_environment.get("removed") or []
        lines = [
            f"server: {self.server}"
            + (f" (reports {self.server_version})" if self.server_version else ""),
            f"schema: {self.schema}"
            + (f" ({self.schema_reason})" if self.schema_reason else "")
            + (f"; baseline: {self.baseline}" if self.baseline else "")
            + (f" ({self.baseline_reason})" if self.baseline_reason else ""),
            f"kit: codex-app-server-kit {self.kit_version}"
            + (f"; removed from the servers' environment: {', '.join(removed)}" if removed else ""),
            *(f"warning: {warning}" for warning in self.warnings),
        ]
        for error in self.errors:
            first, *rest = error.message.splitlines() or [""]
            lines.append(f"ERROR ({error.fault} fault): {first}")
            lines.extend(f"  {line}" for line in rest[:12])
        if self.partial:
            lines.append(f"PARTIAL: {self.cut_short()}; the report holds those that ran")
        lines.append(
            ", ".join(f"{counts[o]} {o}" for o in OUTCOMES)
            + f" of {len(self.results)} scenarios"
            + f"; schema validation {self.validation_share():.1%} of scenario time"
        )
        if by_fault := self.faults():
            lines.append(
                "failures by fault: "
                + ", ".join(f"{fault} {count}" for fault, count in sorted(by_fault.items()))
            )
        not_run = {r.id for r in self.not_run()}
        for result in sorted(self.results, key=lambda r: r.id):
            if result.id in not_run:
                continue
            named = f"{result.id} ({result.title})" if result.title else result.id
            if result.outcome == "failed":
                kinds = sorted({f"{f.fault}/{f.kind}" for f in result.failures})
                lines.append(f"  FAILED  {named}: {', '.join(kinds)}")
                lines.extend(
                    f"          {f'rule {f.rule}: ' if f.rule else ''}"
                    f"{f'[{f.step}] ' if f.step else ''}{first_line(f.message)}"
                    for f in result.failures[:3]
                )
            elif result.outcome == "xfailed":
                lines.append(f"  XFAIL   {result.id}: {result.reason}")
            elif result.outcome == "skipped":
                lines.append(f"  SKIPPED {result.id}: {result.reason}")
            elif result.reason:  # passed, with an intermittent baseline entry beside it
                lines.append(f"  PASSED  {result.id}: {result.reason}")
        if not_run:
            lines.append(f"  NOT RUN {len(not_run)} scenarios, for the error above")
        if gaps := self.schema_gaps():
            lines.append(
                f"schema gaps of {self.schema} (sent but not declared; warnings, not failures):"
            )
            lines.extend(
                f"  {'the kit: ' if g['sent_by'] == 'kit' else ''}"
                f"{'any message' if g['method'] == '*' else g['method']} {g['path']} "
                f"({g['type']}; {len(g['scenarios'])} scenarios)"
                for g in gaps
            )
        return lines


def first_line(text: str, limit: int = 200) -> str:
    """A message's first line, cut to ``limit`` characters: what fits a summary."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def cell(text: str) -> str:
    """``text`` as one cell of a Markdown table."""
    return text.replace("|", "\\|").replace("\n", " ")
