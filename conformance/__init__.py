"""Conformance kit for the Codex app-server account protocol."""
