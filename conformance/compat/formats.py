"""Report formats: text for people, JSON for tools, JUnit for CI, Markdown for PRs."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape, quoteattr

from mock_backend.version import kit_version

from .report import Report
from .rules import RULES, Level


def text(report: Report) -> str:
    lines = [f"compat: {report.old} -> {report.new}"]
    for finding in sorted(report.active(), key=lambda f: (-report.level(f), f.path)):
        level = report.level(finding).name
        extra = " [experimental]" if finding.experimental else ""
        hint = f" (hint: {finding.hint})" if finding.hint else ""
        lines.append(
            f"{level:5} {finding.rule} {finding.path}: {finding.message} "
            f"[{finding.direction.value}]{extra}{hint}"
        )
    for entry in report.stale:
        lines.append(f"STALE ignore entry {entry.label}: matches nothing ({entry.reason})")
    counts = report.counts()
    lines.append(
        f"{counts['ERROR']} error(s), {counts['WARN']} warning(s), {counts['INFO']} info, "
        f"{counts['ignored']} ignored, {counts['stale']} stale ignore entr"
        f"{'y' if counts['stale'] == 1 else 'ies'}: {'PASS' if report.passed else 'FAIL'}"
    )
    return "\n".join(lines) + "\n"


def as_json(report: Report) -> str:
    return (
        json.dumps(
            {
                "kit_version": kit_version(),
                "old": report.old,
                "new": report.new,
                "passed": report.passed,
                "counts": report.counts(),
                "findings": [f.to_json(report.strict_experimental) for f in report.findings],
                "stale": [
                    {"rule": e.rule, "path": e.path, "reason": e.reason} for e in report.stale
                ],
            },
            indent=2,
        )
        + "\n"
    )


def junit(report: Report) -> str:
    cases = []
    for finding in report.findings:
        name = quoteattr(f"{finding.rule} {finding.path}")
        level = report.level(finding)
        body = ""
        if finding.ignored_by is not None:
            body = f"<skipped message={quoteattr('ignored: ' + finding.ignored_by)}/>"
        elif level is Level.ERROR:
            body = (
                f"<failure message={quoteattr(finding.message)} "
                f"type={quoteattr(RULES[finding.rule].name)}/>"
            )
        cases.append(f'<testcase classname="compat" name={name}>{body}</testcase>')
    for entry in report.stale:
        cases.append(
            f'<testcase classname="compat.ignore" name={quoteattr(entry.label)}>'
            f"<failure message={quoteattr('stale ignore entry: ' + entry.reason)}/></testcase>"
        )
    failures = len(report.breaking()) + len(report.stale)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<testsuite name="app-server-compat" tests="{len(cases)}" failures="{failures}">'
        + "".join(cases)
        + "</testsuite>\n"
    )


def markdown(report: Report) -> str:
    counts = report.counts()
    verdict = "passes" if report.passed else "**fails**"
    lines = [
        f"### Schema compatibility: {verdict}",
        "",
        f"`{escape(report.old)}` → `{escape(report.new)}`: {counts['ERROR']} error(s), "
        f"{counts['WARN']} warning(s), {counts['INFO']} info, {counts['ignored']} ignored "
        f"(codex-app-server-kit {kit_version()}).",
        "",
    ]
    shown = [f for f in report.active() if report.level(f) >= Level.WARN]
    if shown:
        lines += [
            "| level | rule | where | change | direction |",
            "| --- | --- | --- | --- | --- |",
        ]
        for finding in sorted(shown, key=lambda f: (-report.level(f), f.path)):
            lines.append(
                f"| {report.level(finding).name} | {finding.rule} {RULES[finding.rule].name} "
                f"| `{finding.path}` | {finding.message} | {finding.direction.value} |"
            )
    for entry in report.stale:
        lines.append(f"- stale ignore entry `{entry.label}`: {entry.reason}")
    return "\n".join(lines) + "\n"


FORMATS = {"text": text, "json": as_json, "junit": junit, "markdown": markdown}
