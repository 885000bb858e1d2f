"""The release matrix: the catalog and the schema gate over many codex releases at once.

``codex-conformance matrix --releases 0.133.0,0.160.0..0.171.0,latest:3 --out DIR``
resolves the releases (:mod:`.selection`, :mod:`.published`), fetches each into the
cache (:mod:`.fetch`), runs the catalog against each in its own process
(:mod:`.catalog_run`, whose preflight finds a server that will not start; :mod:`.run`
keeps the workers), compares
consecutive releases' schema bundles (:mod:`.release_bundle`, :mod:`.compat_steps`) and
writes ``matrix.json``, ``matrix.md`` and ``matrix.html`` (:mod:`.record`,
:mod:`.markdown`, :mod:`.page`, :mod:`.outputs`); :mod:`.merge` joins the folders of many
jobs and :mod:`.release_notes` writes docs/releases.md. One broken release (not
published, a download cut off, a binary that does not start) is an ``environment`` fault
in its own column; the others still run.
"""
