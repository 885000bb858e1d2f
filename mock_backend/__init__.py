"""A local stand-in for the ChatGPT auth backend that a real ``codex`` logs in against.

Usable as a library (:class:`MockBackend`, :class:`BackendThread`), as a CLI
(``python -m mock_backend serve``) and as pytest fixtures (``mock_backend``,
``mock_tenant``).
"""

from .config import BackendConfig
from .control_client import ControlClient, ControlError
from .endpoints import ReadyInfo
from .scenario_file import BackendScenario, load_scenario
from .scripts import LoginOutcome, Script
from .server import MockBackend
from .thread_runner import BackendThread

__all__ = [
    "BackendConfig",
    "BackendScenario",
    "BackendThread",
    "ControlClient",
    "ControlError",
    "LoginOutcome",
    "MockBackend",
    "ReadyInfo",
    "Script",
    "load_scenario",
]
