"""A deliberately broken app-server: a relay in front of a real one that breaks one rule.

    python broken_relay.py MUTATION -- SERVER ARGV...

Lines from the client go to the server unchanged; lines from the server go through the
mutation. Each mutation is one way a server can get the protocol wrong; the kit must
fail on every one of them and say what is wrong (tests/conformance/test_broken_servers).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

Message = dict[str, Any]
Out = Callable[[str], None]


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def snake_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {snake(k): snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    return value


class Relay:
    def __init__(self, mutation: str, argv: list[str]) -> None:
        self.mutation = mutation
        self.child = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.held: list[str] = []
        self.lock = threading.Lock()
        self.saw_failed_login = False
        self.first_answer_done = False
        pid_dir = os.environ.get("RELAY_PID_DIR")
        if pid_dir:
            with open(os.path.join(pid_dir, f"{os.getpid()}.pids"), "w") as handle:
                handle.write(f"{os.getpid()}\n{self.child.pid}\n")

    def write(self, line: str) -> None:
        with self.lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    # client -> server
    def pump_in(self) -> None:
        assert self.child.stdin is not None
        for raw in sys.stdin:
            if self.mutation == "crash-mid-login" and '"account/login/start"' in raw:
                self.child.kill()
                os._exit(3)
            self.child.stdin.write(raw.encode())
            self.child.stdin.flush()
        self.child.stdin.close()

    # server -> client
    def pump_out(self) -> None:
        assert self.child.stdout is not None
        for raw in self.child.stdout:
            line = raw.decode().rstrip("\n")
            try:
                message = json.loads(line)
            except ValueError:
                self.write(line)
                continue
            self.mutate(message)

    def mutate(self, m: Message) -> None:  # one branch per mutation, on purpose
        kind = self.mutation
        method = m.get("method")
        is_answer = "id" in m and "method" not in m
        emit = self.write
        if kind == "drop-login-completed" and method == "account/login/completed":
            return
        if kind == "reorder-updated-first":
            if method == "account/login/completed" and m["params"].get("success"):
                self.held.append(json.dumps(m))
                return
            emit(json.dumps(m))
            if method == "account/updated":
                for held in self.held:
                    emit(held)
                self.held.clear()
            return
        if kind == "snake-case" and is_answer and isinstance(m.get("result"), dict):
            m["result"] = snake_keys(m["result"])
        if kind == "snake-case" and method and isinstance(m.get("params"), dict):
            m["params"] = snake_keys(m["params"])
        if kind == "wrong-ids" and is_answer and m.get("id") not in (0, 1):
            m["id"] = m["id"] + 1000 if isinstance(m["id"], int) else m["id"] + "-x"
        if kind == "garbage-stdout":
            emit("DEBUG: handling a message")
        if kind == "garbage-flood" and is_answer:
            for index in range(20_000):
                emit(f"DEBUG {index}: " + "x" * 200)
        if kind == "hang" and self.first_answer_done:
            return  # swallow everything after the handshake answer
        if kind == "fake-success" and method == "account/login/completed":
            m["params"]["success"] = True
            m["params"]["error"] = None
        if kind == "wrong-error-code" and is_answer and "error" in m:
            m["error"]["code"] = -32603 if m["error"]["code"] == -32600 else -32600
        if kind == "duplicate-answers" and is_answer and m.get("id") not in (0, 1):
            emit(json.dumps(m))
        if kind == "drop-required-field" and is_answer and isinstance(m.get("result"), dict):
            m["result"].pop("requiresOpenaiAuth", None)
            m["result"].pop("status", None)
        if kind == "wrong-type" and method == "account/updated":
            m["params"]["planType"] = 123
        result = m.get("result")
        if kind == "wrong-type" and isinstance(result, dict) and "requiresOpenaiAuth" in result:
            result["requiresOpenaiAuth"] = "yes"
        if kind == "update-after-failed-login" and method == "account/login/completed":
            emit(json.dumps(m))
            if not m["params"].get("success"):
                emit(
                    json.dumps(
                        {
                            "method": "account/updated",
                            "params": {"authMode": "chatgpt", "planType": "plus"},
                        }
                    )
                )
            return
        if kind == "result-and-error" and is_answer and "result" in m and m.get("id") != 1:
            m["error"] = {"code": -32603, "message": "also an error"}
        if (
            kind == "wrong-cancel-status"
            and is_answer
            and m.get("result") == {"status": "notFound"}
        ):
            m["result"] = {"status": "canceled"}
        if kind == "drop-updated" and method == "account/updated":
            return
        if kind == "completed-twice" and method == "account/login/completed":
            emit(json.dumps(m))
        completed = m["params"] if method == "account/login/completed" else {}
        if kind == "wrong-login-id" and completed.get("loginId"):
            completed["loginId"] = "00000000-0000-4000-8000-000000000000"
        if kind == "notification-with-id" and method == "account/login/completed":
            m["id"] = 77
        if kind == "slow-answers" and is_answer:
            time.sleep(0.3)
        if kind == "stderr-chatter":
            sys.stderr.write("INFO relay: passing a message along\n")
        if kind == "extra-notifications" and is_answer:
            warning = {"summary": "a valid notification the scenario does not await"}
            emit(json.dumps({"method": "configWarning", "params": {**warning, "details": None}}))
            emit(json.dumps({"method": "example/undeclared", "params": {"n": 1}}))
        if kind == "no-version" and isinstance(result, dict) and "userAgent" in result:
            result["userAgent"] = "a server of our own"
        if kind == "reports-0.167.2" and isinstance(result, dict) and "userAgent" in result:
            result["userAgent"] = re.sub(
                r"/\d+\.\d+\.\d+", "/0.167.2", result["userAgent"], count=1
            )
        if kind == "config-warning-number" and is_answer:
            emit(json.dumps({"method": "configWarning", "params": {"summary": 123}}))
        if kind == "undeclared-field" and is_answer and isinstance(result, dict):
            result["serverExtension"] = {"enabled": True}
        emit(json.dumps(m))
        if is_answer and m.get("id") == 1:
            self.first_answer_done = True

    def run(self) -> int:
        if self.mutation == "ignore-sigterm":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        out = threading.Thread(target=self.pump_out, daemon=True)
        out.start()
        threading.Thread(target=self.pump_in, daemon=True).start()
        out.join()
        if self.mutation == "ignore-sigterm":
            while True:  # outlive the server: only SIGKILL ends this relay
                time.sleep(1)
        return self.child.wait()


def main() -> int:
    mutation, separator, *argv = sys.argv[1:]
    assert separator == "--", "usage: broken_relay.py MUTATION -- ARGV..."
    return Relay(mutation, argv).run()


if __name__ == "__main__":
    raise SystemExit(main())
