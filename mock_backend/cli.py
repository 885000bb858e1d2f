"""``python -m mock_backend``: serve the backend, or print how to attach to one."""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import signal
import sys
from pathlib import Path
from typing import Any

from . import running
from .config import BackendConfig
from .endpoints import ReadyInfo
from .version import VersionAction

EXAMPLES = """\
examples:
  python -m mock_backend serve
  python -m mock_backend serve --port 8765 --scenario approve-after-2.yaml
  eval "$(python -m mock_backend env)"; codex app-server
  python -m mock_backend env --mode override   # issuer override (codex >= 0.163.0)
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mock_backend",
        description="A local stand-in for the ChatGPT auth backend (auth.openai.com and "
        "the chatgpt.com backend) that unmodified codex binaries log in against.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=VersionAction, program="mock-backend")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser(
        "serve",
        help="run the backend; prints one JSON ready line on stdout",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=0, help="HTTP port (default: any free port)")
    serve.add_argument("--proxy-port", type=int, default=0, help="proxy port (default: any)")
    serve.add_argument("--no-proxy", action="store_true", help="no HTTPS proxy and no test CA")
    serve.add_argument("--scenario", type=Path, help="YAML or JSON file of scripted outcomes")
    serve.add_argument(
        "--profile",
        choices=("test", "realistic"),
        default="test",
        help="test: interval 1 s; realistic: interval 5 s and slow_down enforced",
    )
    serve.add_argument("--interval", type=int, help="poll interval handed out, in seconds")
    serve.add_argument("--expires-in", type=int, help="device code lifetime in seconds")
    serve.add_argument("--seed", type=int, help="seed for generated personas and ids")
    serve.add_argument("--signing-alg", choices=("ES256", "RS256"), default="ES256")
    serve.add_argument("--state-dir", type=Path, help="where to write ca.pem and ready.json")
    serve.add_argument(
        "--max-tenants", type=int, help="tenants that may exist at once (default 256)"
    )
    serve.add_argument(
        "--body-timeout",
        type=float,
        help="seconds a request body may take to arrive whole, then 408 (default 10)",
    )
    env = sub.add_parser(
        "env",
        help="print shell export lines that attach a binary to a running backend",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    env.add_argument(
        "--control",
        help="control URL of the backend (default: the newest running `serve` of this user)",
    )
    env.add_argument("--tenant", help="tenant to attach to (created if missing)")
    env.add_argument(
        "--mode",
        choices=("proxy", "override"),
        default="proxy",
        help="proxy: any release (default); override: issuer override, codex >= 0.163.0",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    return _env(args)


def _config(args: argparse.Namespace) -> BackendConfig:
    overrides: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "proxy_port": args.proxy_port,
        "proxy": not args.no_proxy,
        "seed": args.seed,
        "signing_alg": args.signing_alg,
        "state_dir": args.state_dir,
    }
    if args.interval is not None:
        overrides["interval"] = args.interval
    if args.expires_in is not None:
        overrides["expires_in"] = args.expires_in
    if args.max_tenants is not None:
        overrides["max_tenants"] = args.max_tenants
    if args.body_timeout is not None:
        overrides["body_timeout"] = args.body_timeout
    return BackendConfig.for_profile(args.profile, **overrides)


def _serve(args: argparse.Namespace) -> int:
    from .scenario_file import ScenarioError, load_scenario
    from .server import MockBackend, NotLoopback

    try:
        scenario = load_scenario(args.scenario) if args.scenario else None
        backend = MockBackend(_config(args), scenario)
    except (ScenarioError, NotLoopback) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_run(backend))
    except KeyboardInterrupt:
        return 0


async def _run(backend: Any) -> int:
    from .server import MockBackend

    assert isinstance(backend, MockBackend)
    try:
        await backend.start()
    except OSError as exc:
        print(f"error: cannot listen: {exc.strerror or exc}", file=sys.stderr)
        return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    ready = backend.ready
    marker = None
    try:
        marker = running.mark(ready)  # before the ready line: `env` finds it once that is seen
        print(
            json.dumps(ready.model_dump(include=_READY_KEYS | {"override_env", "tenant"})),
            flush=True,
        )
        print(_how_to(ready), file=sys.stderr, flush=True)
        await stop.wait()
    finally:
        await backend.stop()
        if marker is not None:
            running.unmark(marker)
    return 0


_READY_KEYS = {
    "issuer",
    "chatgpt_base_url",
    "control",
    "proxy",
    "ca_cert",
    "verification_page",
    "env",
    "config_toml",
}


def _how_to(ready: ReadyInfo) -> str:
    exports = "\n".join(
        f"  export {k}={shlex.quote(v)}" for k, v in ready.env.items() if k.isupper()
    )
    return (
        f"mock backend ready: control API {ready.control} (OpenAPI: {ready.openapi})\n"
        f"approve codes at {ready.verification_page}\n"
        "attach any codex binary (no config needed):\n"
        f"{exports}\n"
        "  codex app-server\n"
        'or: eval "$(python -m mock_backend env)"\n'
        "Ctrl-C stops the backend."
    )


def _env(args: argparse.Namespace) -> int:
    try:
        ready = _find_ready(args.control, args.tenant)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.mode == "proxy":
        if not ready.env:
            print("error: that backend runs without the proxy (--no-proxy)", file=sys.stderr)
            return 2
        for key, value in ready.env.items():
            print(f"export {key}={shlex.quote(value)}")
    else:
        for key, value in ready.override_env.items():
            print(f"export {key}={shlex.quote(value)}")
        print("# and in $CODEX_HOME/config.toml:")
        for line in ready.config_toml.splitlines():
            print(f"#   {line}")
    return 0


def _find_ready(control: str | None, tenant: str | None) -> ReadyInfo:
    from .control_client import ControlClient, ControlError

    if control is None:
        found = running.running()
        if not found:
            raise RuntimeError(
                "no running backend found: start one with `python -m mock_backend serve` "
                "or pass --control URL"
            )
        newest, *others = found
        control = newest.ready.control
        if others:
            print(
                f"# {len(found)} backends run; this is the newest (pid {newest.pid}). "
                "For another, pass --control URL: "
                + ", ".join(f"{r.ready.control} (pid {r.pid})" for r in others),
                file=sys.stderr,
            )
    client = ControlClient(control)
    try:
        if tenant:
            return ReadyInfo.model_validate(client.request("POST", "/tenants", {"name": tenant}))
        return ReadyInfo.model_validate(client.request("GET", ""))
    except ControlError as exc:
        raise RuntimeError(str(exc)) from exc
    except OSError as exc:
        raise RuntimeError(f"no backend answers at {control}: {exc}") from exc
