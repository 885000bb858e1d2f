"""The shape the reference server keeps as it grows: one registry of methods, one of
login kinds, no import circle, and nothing heavy loaded before the first answer."""

from __future__ import annotations

import ast
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.bundles import vendored
from reference_server import methods
from reference_server.errors import InvalidRequest
from reference_server.handlers import login
from reference_server.params import parse
from reference_server.release import VERSION

PACKAGE = Path(methods.__file__).parent
SCHEMA = PACKAGE.parent / "schema" / "reference"
DOCS = PACKAGE.parent / "docs"


def test_each_method_is_listed_once_and_the_schema_maps_are_the_registry() -> None:
    groups = {
        "ClientRequest": methods.CLIENT_REQUESTS,
        "ServerNotification": methods.SERVER_NOTIFICATIONS,
        "ServerRequest": methods.SERVER_REQUESTS,
        "ClientNotification": methods.CLIENT_NOTIFICATIONS,
    }
    names = [m.name for group in groups.values() for m in group]
    assert len(names) == len(set(names))
    for title, group in groups.items():
        document = json.loads((SCHEMA / f"{title}.json").read_text())
        in_schema = [v["properties"]["method"]["enum"][0] for v in document["oneOf"]]
        assert in_schema == [m.name for m in group]
    assert list(methods.HANDLERS) == [m.name for m in methods.CLIENT_REQUESTS]
    assert all(inspect.iscoroutinefunction(m.handler) for m in methods.CLIENT_REQUESTS)


def test_what_the_server_sends_is_named_by_its_model() -> None:
    for method in (*methods.SERVER_NOTIFICATIONS, *methods.SERVER_REQUESTS):
        body = method.params.model_construct()
        assert methods.method_of(body) == method.name


def test_login_kinds_are_one_registry_the_unions_schema_and_docs_follow() -> None:
    names = [kind.name for kind in login.KINDS]
    assert len(names) == len(set(names))
    assert [login.wire_type(kind.response) for kind in login.KINDS] == names
    for union in ("LoginAccountParams", "LoginAccountResponse"):
        document = json.loads((SCHEMA / "v2" / f"{union}.json").read_text())
        assert [v["properties"]["type"]["enum"][0] for v in document["oneOf"]] == names, union
    listed = f"`account/login/start` ({', '.join(names)})"
    assert listed in (DOCS / "reference-server.md").read_text()
    assert "| login kind (reference server) |" in (DOCS / "architecture.md").read_text()


def test_the_login_kinds_and_those_refused_are_the_bundles_of_our_release() -> None:
    """What the server implements plus what it refuses by name are the kinds its release
    declares, in upstream's order (the refusal lists them so)."""
    declared = vendored(VERSION).variant_tags("LoginAccountParams")
    assert [kind.name for kind in login.KINDS] + list(login.NOT_IMPLEMENTED) == declared
    with pytest.raises(InvalidRequest) as refused:
        parse(login.PARAMS, {"type": "nope"}, True)
    assert str(refused.value) == (
        "Invalid request: unknown variant `nope`, expected one of `apiKey`, `chatgpt`, "
        "`chatgptDeviceCode`, `chatgptAuthTokens`, `amazonBedrock`, `amazonBedrockAccessKeys`"
    )


def _imports(path: Path) -> set[str]:
    """Modules of the package that ``path`` imports (type-checking imports included)."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    # A relative import resolves against the package: a module's parent, an __init__'s own.
    if path.name == "__init__.py":
        package = module.removesuffix(".__init__")
    else:
        package = module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if _exists(candidate) else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("reference_server") and _exists(name)}


def _exists(module: str) -> bool:
    relative = Path(*module.split("."))
    root = PACKAGE.parent
    return (root / relative).with_suffix(".py").is_file() or (root / relative).is_dir()


def test_no_import_circle() -> None:
    graph = {
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts): _imports(p)
        for p in PACKAGE.rglob("*.py")
    }
    graph = {k.removesuffix(".__init__"): v for k, v in graph.items()}
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            raise AssertionError("import circle: " + " -> ".join([*path[path.index(node) :], node]))
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            if nxt != node and not (nxt in graph and node.startswith(nxt + ".")):
                visit(nxt, [*path, node])
        done.add(node)

    for start in sorted(graph):
        visit(start, [])


def test_the_fast_path_loads_nothing_heavy_before_its_answer() -> None:
    """What answers ``initialize`` on stdio imports neither asyncio, the registry nor the
    conversation modules."""
    probe = (
        "import sys\n"
        "import reference_server.transport.fast_start, reference_server.handlers.initialize\n"
        "import reference_server.params\n"
        "heavy = ('asyncio', 'aiohttp', 'ssl', 'reference_server.methods',"
        " 'reference_server.connection', 'reference_server.login.logins',"
        " 'reference_server.conversation', 'reference_server.protocol.thread',"
        " 'reference_server.protocol.items')\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"
