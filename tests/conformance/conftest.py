"""Fixtures for the kit's own tests: targets (real releases, the reference server, broken
relays) and a way to run catalog scenarios through :class:`conformance.kit.Kit`."""

from __future__ import annotations

import sys
from pathlib import Path

from conformance.scenario import CATALOG, Scenario, load

RELAY = Path(__file__).with_name("broken_relay.py")
REFERENCE = [sys.executable, "-m", "reference_server", "app-server"]


def scenario(scenario_id: str) -> Scenario:
    return load(CATALOG / f"{scenario_id}.yaml")


def relay(mutation: str) -> list[str]:
    return [sys.executable, str(RELAY), mutation, "--", *REFERENCE]
