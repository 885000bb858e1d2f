"""``matrix.html``: one self-contained page (no script, no external asset) to look at.

A grid, scenario x release, each cell coloured by outcome with the reason on hover (the
``title`` attribute: the failure, the baseline's reason, why skipped). A cell whose
outcome differs from the release before it is outlined, so what a release changed
stands out (a failure a baseline expects and one no baseline expects count as alike).
Above the grid, per release, the schema gate against the release before (errors,
warnings, info; the findings on hover); below it every step's findings in full. A release
that could not be run shows its ``environment`` fault in its header and cells.
"""

from __future__ import annotations

from html import escape

from .compat_steps import CompatStep
from .record import Matrix, ReleaseResult, state

#: outcome -> (label in the cell, background, text colour, what the legend calls it)
CELLS = {
    "passed": ("pass", "#c8e6c9", "#1b5e20", "passed"),
    "failed": ("FAIL", "#ef9a9a", "#7f0000", "failed"),
    "xfailed": ("known", "#ffe082", "#6d4c00", "known deviation (baseline)"),
    "skipped": ("skip", "#e0e0e0", "#424242", "skipped"),
    "environment": ("env", "#616161", "#ffffff", "not run: environment fault"),
    "missing": ("", "#fafafa", "#9e9e9e", "not in this release's run"),
}
_CSS = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #212121; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.summary { color: #424242; margin-bottom: 1rem; }
.warning { background: #fff3e0; border-left: 4px solid #ef6c00; padding: .4rem .6rem; }
.legend span { display: inline-block; padding: .1rem .5rem; margin-right: .4rem;
  border-radius: 3px; font-size: 12px; }
.grid-wrap { overflow: auto; max-height: 80vh; border: 1px solid #e0e0e0; }
table.grid { border-collapse: separate; border-spacing: 0; }
.grid th, .grid td { padding: .25rem .45rem; border-bottom: 1px solid #fff;
  border-right: 1px solid #fff; white-space: nowrap; }
.grid thead th { position: sticky; top: 0; background: #263238; color: #fff; z-index: 2;
  font-weight: 600; text-align: center; }
.grid thead tr.schema th { top: 2.9rem; background: #eceff1; color: #263238;
  font-weight: normal; font-size: 12px; }
.grid tbody th { position: sticky; left: 0; background: #fafafa; text-align: left;
  font-weight: normal; font-family: ui-monospace, monospace; font-size: 12px; z-index: 1; }
.grid td { text-align: center; font-size: 12px; min-width: 3.2rem; cursor: default; }
.grid td.changed { outline: 2px solid #1a237e; outline-offset: -2px; }
.grid thead th.env { background: #b71c1c; }
.grid .sub { display: block; font-size: 11px; font-weight: normal; opacity: .8; }
.schema .breaks { color: #b71c1c; font-weight: 600; } .schema .warns { color: #e65100; }
details { margin: .4rem 0; } summary { cursor: pointer; }
table.findings { border-collapse: collapse; margin: .3rem 0 .8rem 1rem; font-size: 12px; }
.findings td { border-bottom: 1px solid #eeeeee; padding: .15rem .5rem; vertical-align: top; }
.findings td.ERROR { color: #b71c1c; font-weight: 600; } .findings td.WARN { color: #e65100; }
code { font-family: ui-monospace, monospace; }
"""


def outcome_of(release: ReleaseResult, scenario: str) -> str:
    if release.error and not release.scenarios:
        return "environment"
    return release.scenarios.get(scenario, "missing")


def render_page(matrix: Matrix) -> str:
    releases = matrix.ordered()
    ids = matrix.scenario_ids()
    steps = {step.new: step for step in matrix.compat}
    counts = {o: sum(r.counts()[o] for r in releases) for o in ("passed", "failed", "xfailed")}
    broken = [r for r in releases if r.error]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>codex release matrix</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>codex release matrix</h1>",
        f'<p class="summary">{len(releases)} releases x {len(ids)} scenarios: '
        f"{counts['passed']} passed, {counts['failed']} failed, {counts['xfailed']} known "
        "deviations"
        + (f" · releases: {escape(matrix.selection)}" if matrix.selection else "")
        + "</p>",
        *(f'<p class="warning">{escape(w)}</p>' for w in matrix.warnings),
        *(
            f'<p class="warning" data-not-run="{escape(r.version)}"><b>{escape(r.version)} not '
            f"run</b>: {escape(r.error['fault'])} fault: {escape(r.error['message'])}</p>"
            for r in broken
            if r.error is not None
        ),
        '<p class="legend">'
        + "".join(
            f'<span style="background:{bg};color:{fg}">{escape(name)}</span>'
            for _, bg, fg, name in CELLS.values()
        )
        + " outlined: differs from the release before</p>",
        '<div class="grid-wrap"><table class="grid"><thead><tr><th>scenario</th>',
    ]
    parts += [_release_header(r) for r in releases]
    parts.append('</tr><tr class="schema"><th>schema vs the release before</th>')
    parts += [_schema_cell(steps.get(r.version)) for r in releases]
    parts.append("</tr></thead><tbody>")
    for scenario in ids:
        title = matrix.titles.get(scenario, "")
        parts.append(f'<tr><th title="{escape(title)}">{escape(scenario)}</th>')
        previous: str | None = None
        for release in releases:
            outcome = outcome_of(release, scenario)
            parts.append(_cell(release, scenario, outcome, previous))
            previous = outcome if outcome not in ("environment", "missing") else previous
        parts.append("</tr>")
    parts.append("</tbody></table></div>")
    parts.append("<h2>Schema changes between consecutive releases</h2>")
    if not matrix.compat:
        parts.append("<p>Fewer than two releases with a schema bundle.</p>")
    parts += [_step_section(step) for step in matrix.compat]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _release_header(release: ReleaseResult) -> str:
    sub = " · ".join(x for x in (release.source, release.published) if x)
    if release.error:
        title = f"{release.error['fault']} fault: {release.error['message']}"
        return (
            f'<th class="env" data-release="{escape(release.version)}" title="{escape(title)}">'
            f'{escape(release.version)}<span class="sub">{escape(release.error["fault"])} '
            "fault</span></th>"
        )
    title = f"baseline: {release.baseline or 'none'}; schema: {release.schema or '?'}"
    return (
        f'<th data-release="{escape(release.version)}" title="{escape(title)}">'
        f'{escape(release.version)}<span class="sub">{escape(sub) or "&nbsp;"}</span></th>'
    )


def _schema_cell(step: CompatStep | None) -> str:
    if step is None:
        return "<th>—</th>"
    if step.error:
        return f'<th title="{escape(step.error)}">cannot compare</th>'
    listed = [f"ERROR {f['path']}: {f['message']}" for f in step.errors]
    listed += [f"WARN {f['path']}: {f['message']}" for f in step.warnings]
    title = "\n".join(listed[:25]) + (f"\n… {len(listed) - 25} more" if len(listed) > 25 else "")
    title = title or f"no breaking change ({len(step.info)} info)"
    return (
        f'<th data-step="{escape(step.old)}..{escape(step.new)}" title="{escape(title)}">'
        f'<span class="breaks">{len(step.errors)} E</span> · '
        f'<span class="warns">{len(step.warnings)} W</span> · {len(step.info)} I</th>'
    )


def _cell(release: ReleaseResult, scenario: str, outcome: str, previous: str | None) -> str:
    label, background, colour, _ = CELLS[outcome]
    if outcome == "environment":
        assert release.error is not None
        why = f"not run: {release.error['fault']} fault: {release.error['message']}"
    elif outcome == "missing":
        why = "not run in this release's catalog run"
    else:
        reason = release.reasons.get(scenario)
        why = outcome + (f": {reason}" if reason else "")
    comparable = previous is not None and outcome not in ("environment", "missing")
    changed = comparable and state(outcome) != state(previous)
    classes = ' class="changed"' if changed else ""
    return (
        f'<td{classes} data-release="{escape(release.version)}" '
        f'data-scenario="{escape(scenario)}" data-outcome="{outcome}" '
        f'style="background:{background};color:{colour}" '
        f'title="{escape(f"{scenario} on {release.version}: {why}")}">{label}</td>'
    )


def _step_section(step: CompatStep) -> str:
    head = f"{escape(step.old)} → {escape(step.new)}"
    if step.error:
        why = escape(step.error)
        return f"<details><summary>{head}: cannot compare</summary><p>{why}</p></details>"
    rows = [("ERROR", f) for f in step.errors] + [("WARN", f) for f in step.warnings]
    info = [("INFO", f) for f in step.info]
    parts = [
        f'<details{" open" if rows else ""} data-step="{escape(step.old)}..{escape(step.new)}">'
        f"<summary>{head}: {len(step.errors)} errors, {len(step.warnings)} warnings, "
        f"{len(step.info)} info</summary>",
        _findings(rows),
    ]
    if info:
        parts.append(f"<details><summary>{len(info)} info</summary>{_findings(info)}</details>")
    parts.append("</details>")
    return "\n".join(parts)


def _findings(rows: list[tuple[str, dict[str, str]]]) -> str:
    if not rows:
        return ""
    body = "".join(
        f'<tr><td class="{level}">{level}</td><td>{escape(f["rule"])}</td>'
        f"<td><code>{escape(f['path'])}</code></td><td>{escape(f['message'])}</td>"
        f"<td>{escape(f.get('method') or '')}</td></tr>"
        for level, f in rows
    )
    return f'<table class="findings">{body}</table>'
