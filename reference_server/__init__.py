"""Reference implementation of the Codex app-server account surface."""
