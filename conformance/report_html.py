"""The run's report as one self-contained HTML page (``--conformance-html PATH``).

One file, no scripts, no fetched styles or fonts: it opens the same from a CI artifact,
an e-mail or a folder with no network. Built from the same :class:`RunReport` as the
JSON, Markdown and console reports; a failed scenario unfolds to its failures and the
last lines of its conversation.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from .report import OUTCOMES, RunReport
from .results import ScenarioResult

_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1c1e21; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
.passed { color: #1a7f37; } .failed, .error { color: #cf222e; } .partial { color: #9a6700; }
.xfailed, .skipped, .notrun { color: #57606a; }
.meta { color: #57606a; margin: 0 0 1rem; }
.box { border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem .75rem; margin: .5rem 0; }
.box.error { border-color: #cf222e; background: #fff5f5; }
.box.partial { border-color: #9a6700; background: #fff8e6; }
table { border-collapse: collapse; width: 100%; margin: .75rem 0; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #d0d7de;
         vertical-align: top; }
th { background: #f6f8fa; }
td.time { text-align: right; white-space: nowrap; }
code, pre { font: 13px/1.4 ui-monospace, monospace; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; padding: .5rem;
      border-radius: 4px; margin: .25rem 0; }
summary { cursor: pointer; }
"""


def render_html(report: RunReport) -> str:
    counts = report.counts()
    not_run = {r.id for r in report.not_run()}
    version = f" {report.server_version}" if report.server_version else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>App-server conformance: {escape(report.headline())}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f'<h1>App-server conformance: <span class="{report.verdict}">'
        f"{escape(report.headline())}</span></h1>",
        f'<p class="meta">Server <code>{escape(report.server)}</code>{escape(version)} · '
        f"schema <code>{escape(report.schema)}</code>"
        + (f" ({escape(report.schema_reason)})" if report.schema_reason else "")
        + (f" · baseline <code>{escape(report.baseline)}</code>" if report.baseline else "")
        + (f" ({escape(report.baseline_reason)})" if report.baseline_reason else "")
        + f" · codex-app-server-kit {escape(report.kit_version)}</p>",
    ]
    for error in report.errors:
        parts.append(
            f'<div class="box error"><strong>{escape(error.heading)}</strong>'
            f"<pre>{escape(error.message)}</pre></div>"
        )
    if report.partial:
        parts.append(
            f'<div class="box partial"><strong>Partial</strong>: {escape(report.cut_short())}; '
            "this report holds those that ran.</div>"
        )
    parts.extend(f'<div class="box">⚠️ {escape(w)}</div>' for w in report.warnings)
    parts.append(
        '<p class="counts">'
        + " · ".join(f'<strong class="{o}">{counts[o]}</strong> {o}' for o in OUTCOMES)
        + (f" ({len(not_run)} of them not run)" if not_run else "")
        + "</p>"
    )
    parts.append(
        "<table><thead><tr><th>Scenario</th><th>Title</th><th>Outcome</th><th>Time</th>"
        "<th>Details</th></tr></thead><tbody>"
    )
    for result in sorted(report.results, key=lambda r: (r.outcome != "failed", r.id)):
        parts.append(_row(result, result.id in not_run))
    parts.append("</tbody></table>")
    if gaps := report.schema_gaps():
        parts.append(f"<h2>Schema gaps of <code>{escape(report.schema)}</code></h2>")
        parts.append(
            "<p>Sent but not declared by the bundle: warnings, not failures.</p><table>"
            "<thead><tr><th>Sent by</th><th>Method</th><th>Where</th><th>Type</th>"
            "<th>Scenarios</th></tr></thead><tbody>"
        )
        parts.extend(
            f"<tr><td>{escape(g['sent_by'])}</td><td><code>{escape(g['method'])}</code></td>"
            f"<td><code>{escape(g['path'])}</code></td><td><code>{escape(g['type'])}</code></td>"
            f'<td class="time">{len(g["scenarios"])}</td></tr>'
            for g in gaps
        )
        parts.append("</tbody></table>")
    if removed := report.server_environment.get("removed"):
        parts.append(
            '<p class="meta">Removed from the environment of the servers the kit started: '
            + ", ".join(f"<code>{escape(name)}</code>" for name in removed)
            + "</p>"
        )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _row(result: ScenarioResult, not_run: bool) -> str:
    outcome = "not run" if not_run else result.outcome
    css = "notrun" if not_run else result.outcome
    if result.failures:
        lines = [str(failure) for failure in result.failures]
        details = (
            f"<details><summary>{escape(lines[0].splitlines()[0])}</summary>"
            + "".join(f"<pre>{escape(line)}</pre>" for line in lines)
            + (f"<pre>{escape(chr(10).join(result.transcript))}</pre>" if result.transcript else "")
            + "</details>"
        )
    else:
        details = escape(result.reason or "")
    return (
        f'<tr id="{escape(result.id)}"><td><code>{escape(result.id)}</code></td>'
        f'<td>{escape(result.title)}</td><td class="{css}">{escape(outcome)}</td>'
        f'<td class="time">{result.duration:.2f} s</td><td>{details}</td></tr>'
    )


def write_html(report: RunReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
