"""Who called the model: the bearer's state, judged by the backend's own rules."""

from __future__ import annotations

from mock_backend.config import BackendConfig
from mock_backend.model.auth_check import check_auth, tenant_of_bearer
from mock_backend.state import Backend


def test_live_expired_revoked_and_foreign_tokens() -> None:
    state = Backend(BackendConfig())
    (mine, _), (other, _) = state.create_tenant("mine"), state.create_tenant("other")
    tokens, persona = state.grants.mint_for(mine.name, None)
    bearer = f"Bearer {tokens.access_token}"

    live = check_auth(state, "mine", bearer, persona.account_id)
    assert (live.bearer, live.issued_by_tenant, live.account_matches, live.flag) == (
        "live",
        True,
        True,
        None,
    )
    assert live.token_id
    foreign = check_auth(state, other.name, bearer, "someone-else")
    assert (foreign.issued_by_tenant, foreign.account_matches, foreign.flag) == (
        False,
        False,
        "token_other_tenant",
    )
    assert tenant_of_bearer(state, bearer) == "mine"
    assert tenant_of_bearer(state, "Bearer nope") is None

    assert check_auth(state, "mine", None, None).flag == "token_missing"
    assert check_auth(state, "mine", "Bearer a.b.c", None).flag == "token_not_issued"

    state.clock.advance(11 * 86_400)  # access tokens live ten days
    assert check_auth(state, "mine", bearer, None).flag == "token_expired"

    fresh, _ = state.grants.mint_for(mine.name, None)
    state.grants.revoke(mine.name, fresh.access_token)
    assert check_auth(state, "mine", f"Bearer {fresh.access_token}", None).flag == "token_revoked"
