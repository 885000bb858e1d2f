"""``matrix.md``: the matrix as a CI job summary (``>> $GITHUB_STEP_SUMMARY``).

A job page is narrow: releases as rows with their counts, then only the scenarios whose
outcome is not ``passed`` on every release (the rest are counted), then each step's
schema findings, errors and warnings listed, info counted.
"""

from __future__ import annotations

from ..report import cell
from .compat_steps import CompatStep
from .record import Matrix, ReleaseResult

SYMBOLS = {"passed": "✅", "failed": "❌", "xfailed": "⚠️", "skipped": "⏭️"}
NOT_RUN = "·"
LEGEND = "✅ passed · ❌ failed · ⚠️ known deviation (baseline) · ⏭️ skipped · · not run"


def render_markdown(matrix: Matrix) -> str:
    releases = matrix.ordered()
    failed = sum(r.counts()["failed"] for r in releases) + sum(1 for r in releases if r.error)
    verdict = "❌" if failed else "✅"
    ids = matrix.scenario_ids()
    lines = [
        f"## Release matrix {verdict}: {len(releases)} releases x {len(ids)} scenarios",
        "",
        f"codex-app-server-kit {matrix.kit_version or '(unknown)'}",
        "",
        *(f"> ⚠️ {warning}\n" for warning in matrix.warnings),
        "| Release | Source | Passed | Failed | Known | Skipped | Baseline | Note |",
        "|---|---|---:|---:|---:|---:|---|---|",
    ]
    lines += [_release_row(r) for r in releases]
    ran = [r for r in releases if r.scenarios]
    differing = [i for i in ids if any(r.scenarios.get(i) != "passed" for r in ran)]
    lines += ["", f"### Scenarios not passed everywhere ({len(differing)} of {len(ids)})", ""]
    if differing:
        lines += [
            "| Scenario | " + " | ".join(r.version for r in releases) + " |",
            "|---|" + "---|" * len(releases),
        ]
        lines += [
            f"| `{i}` | "
            + " | ".join(SYMBOLS.get(r.scenarios.get(i, ""), NOT_RUN) for r in releases)
            + " |"
            for i in differing
        ]
        lines += ["", LEGEND]
    lines += ["", "### Schema changes between consecutive releases", ""]
    if not matrix.compat:
        lines.append("(fewer than two releases with a schema bundle)")
    else:
        lines += ["| Step | Errors | Warnings | Info |", "|---|---:|---:|---:|"]
        lines += [
            f"| {s.old} → {s.new} | {len(s.errors)} | {len(s.warnings)} | {len(s.info)} |"
            if not s.error
            else f"| {s.old} → {s.new} | | | {cell(s.error)} |"
            for s in matrix.compat
        ]
        for step in matrix.compat:
            lines += _step_details(step)
    return "\n".join(lines) + "\n"


def _release_row(release: ReleaseResult) -> str:
    counts = release.counts()
    note = ""
    if release.error:
        note = f"**{release.error['fault']} fault**: {release.error['message']}"
    elif release.server_version and release.server_version != release.version:
        note = f"reports {release.server_version}"
    published = f" ({release.published})" if release.published else ""
    return (
        f"| {release.version}{published} | {release.source or '—'} | {counts['passed']} | "
        f"{counts['failed']} | {counts['xfailed']} | {counts['skipped']} | "
        f"{release.baseline or '—'} | {cell(note)} |"
    )


def _step_details(step: CompatStep) -> list[str]:
    listed = [("ERROR", f) for f in step.errors] + [("WARN", f) for f in step.warnings]
    if not listed:
        return []
    lines = [
        "",
        f"<details><summary>{step.old} → {step.new}: {len(step.errors)} errors, "
        f"{len(step.warnings)} warnings</summary>",
        "",
    ]
    lines += [
        f"- {level} {f['rule']} `{f['path']}`: {f['message']}"
        + (f" ({f['method']})" if f.get("method") else "")
        for level, f in listed
    ]
    return [*lines, "", "</details>"]
