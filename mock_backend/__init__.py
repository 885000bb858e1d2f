"""A local stand-in for the ChatGPT auth backend that a real ``codex`` logs in against.

Usable as a library (:class:`MockBackend`, :class:`BackendThread`), as a CLI
(``python -m mock_backend serve``) and as pytest fixtures (``mock_backend``,
``mock_tenant``).
"""

from .config import BackendConfig
from .control_client import ControlClient, ControlError
from .endpoints import ReadyInfo
from .scripts import Outcome, ScenarioFile, Script, load_scenario
from .server import MockBackend
from .thread_runner import BackendThread

__all__ = [
    "BackendConfig",
    "BackendThread",
    "ControlClient",
    "ControlError",
    "MockBackend",
    "Outcome",
    "ReadyInfo",
    "ScenarioFile",
    "Script",
    "load_scenario",
]
