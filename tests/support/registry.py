"""What a registry package defines, found by walking its modules: a registry test holds
the registry to it, so a class written but never registered is caught."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType


def subclasses_defined_in(package: ModuleType, base: type) -> set[type]:
    """Every subclass of ``base`` (not ``base`` itself) defined or imported in the public
    modules of ``package``."""
    return {
        cls
        for module in pkgutil.iter_modules(package.__path__)
        if not module.name.startswith("_")
        for _, cls in inspect.getmembers(
            importlib.import_module(f"{package.__name__}.{module.name}"), inspect.isclass
        )
        if issubclass(cls, base) and cls is not base
    }
