"""A matrix's three files: ``matrix.json`` (what the others derive from), ``matrix.md``
(a job summary) and ``matrix.html`` (the page)."""

from __future__ import annotations

import json
from pathlib import Path

from .markdown import render_markdown
from .page import render_page
from .record import Matrix


def write_outputs(matrix: Matrix, out: Path) -> list[Path]:
    """``matrix.json``, ``matrix.md`` and ``matrix.html`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "matrix.json", out / "matrix.md", out / "matrix.html"]
    written[0].write_text(json.dumps(matrix.to_json(), indent=1) + "\n", encoding="utf-8")
    written[1].write_text(render_markdown(matrix), encoding="utf-8")
    written[2].write_text(render_page(matrix), encoding="utf-8")
    return written
