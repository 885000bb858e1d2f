"""The conversation's pure parts, without a server: SSE framing, the words of each
failure, usage and rate-limit parsing, ids, the catalog format, the config keys, and
the schema judge and the traceback check the conversation tests rely on (they must
refuse what is wrong)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from reference_server.context import Peer
from reference_server.conversation import model_client
from reference_server.conversation import model_errors as errors
from reference_server.conversation.catalog import parse_entry
from reference_server.conversation.ids import check_thread_id, uuid7
from reference_server.conversation.provider import Provider
from reference_server.conversation.sse import events
from reference_server.conversation.usage import TokenCounter, rate_limits
from reference_server.errors import InvalidRequest
from reference_server.handlers.initialize import handshake
from reference_server.protocol.initialize import InitializeParams
from reference_server.release import VERSION
from reference_server.settings import Settings
from tests.support.app_server import python_tracebacks


async def _lines(*chunks: bytes) -> AsyncIterator[bytes]:
    """One line each, as the model client hands them over."""
    for chunk in chunks:
        yield chunk


def _events(*chunks: bytes) -> list[dict[str, Any]]:
    async def collect() -> list[dict[str, Any]]:
        return [event async for event in events(_lines(*chunks))]

    return asyncio.run(collect())


def test_sse_events_one_json_object_each() -> None:
    got = _events(
        b"event: response.created\n",
        b'data: {"type": "a"}\n',
        b"\n",
        b": a comment\n",
        b'data: {"type":\n',
        b'data: "b"}\n',
        b"\r\n",
        b"data: not json\n",
        b"\n",
        b"data: [1, 2]\n",
        b"\n",
        b'data: {"type": "last"}\n',  # no blank line before EOF: still an event
    )
    assert got == [{"type": "a"}, {"type": "b"}, {"type": "last"}]


class _Body:
    """Stands in for an aiohttp answer: its body in the chunks the network cut it into."""

    def __init__(self, *chunks: bytes) -> None:
        self.content = self
        self.chunks = chunks

    async def iter_any(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


def _body_lines(*chunks: bytes) -> list[bytes]:
    opened = model_client.Opened({}, _Body(*chunks))  # type: ignore[arg-type]

    async def collect() -> list[bytes]:
        return [line async for line in opened.lines()]

    return asyncio.run(collect())


def test_the_body_cut_into_lines_wherever_the_chunks_end() -> None:
    chunks = (b"da", b"ta: 1\ndata: 2\n\nda", b"ta", b": 3\n", b"", b"data: 4")
    assert _body_lines(*chunks) == [b"data: 1\n", b"data: 2\n", b"\n", b"data: 3\n", b"data: 4"]
    assert _body_lines(b"\n\n", b"x\n") == [b"\n", b"\n", b"x\n"]
    assert _body_lines() == []


def test_a_line_longer_than_the_limit_breaks_the_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model_client, "MAX_LINE", 8)
    assert _body_lines(b"12345\n", b"1234", b"5678\n") == [b"12345\n", b"12345678\n"]
    with pytest.raises(errors.ModelFailure) as cut:
        _body_lines(b"1234", b"56789", b"\n")
    assert cut.value.message == errors.TRANSPORT


def test_status_failures_in_upstreams_words() -> None:
    url = "https://chatgpt.com/backend-api/codex/responses"
    bad = errors.from_status(400, '{"detail": "no"}', {"detail": "no"}, url)
    assert (bad.message, bad.info.root, bad.retryable) == ('{"detail": "no"}', "other", False)
    busy = errors.from_status(429, "", {}, url)
    assert busy.message == "exceeded retry limit, last status: 429 Too Many Requests"
    assert not busy.retryable
    down = errors.from_status(503, "", {}, url)
    assert (down.retryable, down.info.root, down.message) == (
        True,
        "internalServerError",
        errors.HIGH_DEMAND,
    )
    gone = errors.from_status(403, "x", {"error": {"message": "forbidden thing"}}, url)
    assert gone.details == f"unexpected status 403 Forbidden: forbidden thing, url: {url}"
    assert gone.info.root == {"httpConnectionFailed": {"httpStatusCode": 403}}
    assert gone.retry_info is not None
    assert gone.retry_info.root == {"responseStreamDisconnected": {"httpStatusCode": 403}}


def test_failed_events_and_the_wait_they_ask_for() -> None:
    full = errors.from_failed_event({"error": {"code": "context_length_exceeded"}})
    assert (full.context_full, full.retryable, full.info.root) == (
        True,
        False,
        "contextWindowExceeded",
    )
    slow = errors.from_failed_event(
        {"error": {"code": "rate_limit_exceeded", "message": "try again in 1.5s."}}
    )
    assert (slow.retryable, slow.delay) == (True, 1.5)
    quick = errors.from_failed_event(
        {"error": {"code": "rate_limit_exceeded", "message": "try again in 20ms"}}
    )
    assert quick.delay == pytest.approx(0.02)
    other = errors.from_failed_event({"error": {"code": "server_error", "message": "boom"}})
    assert other.details == "stream disconnected before completion: boom"


def test_usage_limit_words_by_plan_and_day() -> None:
    now = time.mktime((2030, 3, 17, 9, 0, 0, 0, 0, -1))
    today = int(now) + 3600 * 8 + 46 * 60
    later = int(now) + 86400 * 2
    lead = "You\u2019ve hit your usage limit."
    assert errors.usage_limit_message(today, "pro", now) == (
        f"{lead} Visit https://chatgpt.com/settings/usage to purchase more credits or try "
        "again at 5:46 PM."
    )
    assert errors.usage_limit_message(today, None, now) == f"{lead} Try again at 5:46 PM."
    assert errors.usage_limit_message(later, "team", now) == (
        f"{lead} To get more access now, send a request to your admin or try again at "
        "Mar 19th, 2030 9:00 AM."
    )
    assert errors.usage_limit_message(None, "free") == (
        f"{lead} Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus), "
        "or try again later."
    )


def test_rate_limit_headers_and_token_counts() -> None:
    snapshot = rate_limits(
        {
            "X-Codex-Primary-Used-Percent": "12.5",
            "x-codex-primary-window-minutes": "300",
            "x-codex-primary-reset-at": "1900000000",
            "x-codex-secondary-used-percent": "nan",
        }
    )
    assert snapshot.primary is not None
    assert (snapshot.primary.used_percent, snapshot.primary.window_duration_mins) == (13, 300)
    assert snapshot.secondary is None
    counter = TokenCounter(context_window=128_000)
    assert counter.snapshot() is None  # nothing reported yet: no notification
    counter.add({"input_tokens": 10, "output_tokens": 2})
    counter.add({"input_tokens": 5, "output_tokens": 1, "total_tokens": 7})
    usage = counter.snapshot()
    assert usage is not None
    assert (usage.total.total_tokens, usage.last.total_tokens) == (19, 7)
    assert usage.model_context_window == 121_600
    counter.fill_window()
    filled = counter.snapshot()
    assert filled is not None and filled.total.total_tokens == 121_600


def test_ids() -> None:
    made = uuid7()
    assert made[14] == "7" and check_thread_id(made) == made
    assert check_thread_id("urn:uuid:" + made) == made
    with pytest.raises(InvalidRequest, match="invalid session id: invalid group count"):
        check_thread_id("0197a000-0000", "session")


def test_catalog_entries_in_the_backends_format() -> None:
    entry = parse_entry(
        {
            "slug": "m",
            "display_name": "M",
            "visibility": "hide",
            "priority": 3,
            "context_window": 1000,
            "supported_reasoning_levels": [{"effort": "low", "description": "quick"}],
            "model_messages": {"instructions_template": "be brief"},
            "upgrade": {"model": "n", "migration_markdown": "move"},
        }
    )
    assert entry is not None
    assert (entry.hidden, entry.priority, entry.base_instructions) == (True, 3, "be brief")
    model = entry.model(is_default=False).wire()
    assert model["upgrade"] == "n"
    assert model["upgradeInfo"]["migrationMarkdown"] == "move"
    assert model["supportedReasoningEfforts"] == [
        {"reasoningEffort": "low", "description": "quick"}
    ]
    assert parse_entry({"display_name": "no slug"}) is None


def test_provider_settings_from_overrides_and_config() -> None:
    base = Settings.load()
    default = Provider.load(replace(base, config={"model_providers": {"openai": {"x": 1}}}))
    assert (default.request_max_retries, default.stream_max_retries) == (4, 5)
    assert default.base_url is None
    nested = {"model_providers": {"openai": {"request_max_retries": 2, "stream_max_retries": 999}}}
    tuned = Provider.load(replace(base, config=nested))  # as config.toml's tables give them
    assert (tuned.request_max_retries, tuned.stream_max_retries) == (2, 100)  # capped
    dotted = {"model_providers.openai.stream_max_retries": "0", "openai_base_url": "http://x/v1/"}
    flat = Provider.load(replace(base, config=dotted))  # as -c gives them
    assert (flat.stream_max_retries, flat.base_url) == (0, "http://x/v1")
    timeout = Provider.load(replace(base, config={"reference_server.exec_timeout_seconds": "2"}))
    assert timeout.exec_timeout_seconds == 2.0


def test_the_request_body_the_mock_cannot_show() -> None:
    """What the mock's request log leaves out: the top-level keys of the body."""
    from pathlib import Path

    from reference_server.conversation.catalog import BUILT_IN
    from reference_server.conversation.request_body import body, message
    from reference_server.conversation.thread_state import ThreadState
    from reference_server.protocol.policy import AskForApproval

    state = ThreadState(
        id="t",
        cwd="/",
        model="gpt-6.1-sol",
        path=Path("/dev/null"),
        approval_policy=AskForApproval.model_validate("never"),
        developer_instructions="be kind",
        history=[message("user", "hello")],
    )
    sent = body(state, BUILT_IN[0])
    assert (sent["stream"], sent["store"], sent["model"]) == (True, False, "gpt-6.1-sol")
    assert [tool["name"] for tool in sent["tools"]] == ["exec_command"]
    assert "instructions" not in sent  # the base instructions go in as a developer message
    roles = [item["role"] for item in sent["input"]]
    assert roles == ["developer", "developer", "user"]
    assert sent["input"][0]["content"][0]["text"] == BUILT_IN[0].base_instructions
    assert sent["prompt_cache_key"] == "t"


def test_the_traceback_check_finds_what_python_prints() -> None:
    """What the ``chat`` fixture holds the reference server's stderr to."""
    stderr = [
        "WARNING reference_server: workspace check at start failed: status 500",
        "Traceback (most recent call last):",
        '  File "turn_runner.py", line 110, in run',
        "RuntimeError: boom",
        "ERROR reference_server: login failed",
        "Traceback (most recent call last):",
        "KeyError: 'id'",
    ]
    assert python_tracebacks(stderr) == [
        "Traceback (most recent call last):\n"
        '  File "turn_runner.py", line 110, in run\n'
        "RuntimeError: boom\n"
        "ERROR reference_server: login failed",
        "Traceback (most recent call last):\nKeyError: 'id'",
    ]
    assert python_tracebacks(stderr[:1]) == []


def test_the_model_is_sent_the_user_agent_initialize_answered() -> None:
    """One form for both (0.163.0's ``name/version (os; arch) terminal (name; version)``)."""
    params = InitializeParams.model_validate({"clientInfo": {"name": "kit", "version": "1.2"}})
    answered = handshake("/home", params).user_agent
    peer = Peer()
    peer.adopt(params)
    assert peer.user_agent() == answered
    assert answered.startswith(f"kit/{VERSION} (") and answered.endswith(" (kit; 1.2)")
