"""JWTs as the ChatGPT auth backend issues them, signed with a published key.

The app-server decodes the id_token without checking its signature, but other
clients may verify, so tokens are really signed and the key is served as JWKS.
ES256 is the default: a P-256 signature costs ~0.05 ms against ~0.7 ms for
RSA-2048, which is what lets the backend hand out hundreds of logins a second.
RS256 is available for clients that only accept RSA.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any, Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from .personas import Persona

AUTH_CLAIM = "https://api.openai.com/auth"
PROFILE_CLAIM = "https://api.openai.com/profile"
SigningAlg = Literal["ES256", "RS256"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int_b64(value: int, length: int | None = None) -> str:
    length = length or (value.bit_length() + 7) // 8
    return b64url(value.to_bytes(length, "big"))


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256 challenge of a verifier."""
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def unverified_claims(token: str) -> dict[str, Any] | None:
    """Claims of a JWT without checking it; None when it is not a JWT at all."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(b64url_decode(parts[1]))
    except (ValueError, json.JSONDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


class SigningKey:
    """One key pair, its key id, its JWKS and a JWT signer."""

    def __init__(self, alg: SigningAlg = "ES256") -> None:
        self.alg: SigningAlg = alg
        self.kid = secrets.token_hex(8)
        self._ec: ec.EllipticCurvePrivateKey | None = None
        self._rsa: rsa.RSAPrivateKey | None = None
        if alg == "ES256":
            self._ec = ec.generate_private_key(ec.SECP256R1())
        else:
            self._rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        header = {"alg": alg, "typ": "JWT", "kid": self.kid}
        self._header = b64url(json.dumps(header, separators=(",", ":")).encode())

    def jwks(self) -> dict[str, Any]:
        if self._ec is not None:
            numbers = self._ec.public_key().public_numbers()
            key: dict[str, Any] = {
                "kty": "EC",
                "crv": "P-256",
                "x": _int_b64(numbers.x, 32),
                "y": _int_b64(numbers.y, 32),
            }
        else:
            assert self._rsa is not None
            rsa_numbers = self._rsa.public_key().public_numbers()
            key = {"kty": "RSA", "n": _int_b64(rsa_numbers.n), "e": _int_b64(rsa_numbers.e)}
        key.update({"kid": self.kid, "alg": self.alg, "use": "sig"})
        return {"keys": [key]}

    def sign(self, claims: dict[str, Any]) -> str:
        payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{self._header}.{payload}".encode("ascii")
        if self._ec is not None:
            der = self._ec.sign(signing_input, ec.ECDSA(hashes.SHA256()))
            r, s = decode_dss_signature(der)
            signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        else:
            assert self._rsa is not None
            signature = self._rsa.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        return f"{self._header}.{payload}.{b64url(signature)}"

    def verify(self, token: str) -> dict[str, Any] | None:
        """Claims of a token this key signed; None for anything else."""
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != self._header:
            return None
        try:
            signature = b64url_decode(parts[2])
            signing_input = f"{parts[0]}.{parts[1]}".encode("ascii")
            if self._ec is not None:
                from cryptography.hazmat.primitives.asymmetric.utils import (
                    encode_dss_signature,
                )

                if len(signature) != 64:
                    return None
                der = encode_dss_signature(
                    int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
                )
                self._ec.public_key().verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
            else:
                assert self._rsa is not None
                self._rsa.public_key().verify(
                    signature, signing_input, padding.PKCS1v15(), hashes.SHA256()
                )
        except Exception:
            return None
        return unverified_claims(token)


@dataclass(frozen=True, slots=True)
class TokenSet:
    id_token: str
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class TokenLifetimes:
    """Seconds each token lives; the defaults mirror what ChatGPT logins get."""

    id_token: int = 3600
    access_token: int = 10 * 24 * 3600


class TokenMinter:
    """Turns a persona into the id/access/refresh tokens of a ChatGPT login."""

    def __init__(
        self,
        key: SigningKey,
        issuer: str,
        client_id: str,
        lifetimes: TokenLifetimes | None = None,
    ) -> None:
        self.key = key
        self.issuer = issuer
        self.client_id = client_id
        self.lifetimes = lifetimes or TokenLifetimes()

    def auth_claims(self, persona: Persona) -> dict[str, Any]:
        return {
            "chatgpt_account_id": persona.account_id,
            "chatgpt_plan_type": persona.plan_type,
            "chatgpt_user_id": persona.user_id,
            "user_id": persona.user_id,
            "organizations": [
                {
                    "id": f"org-{persona.account_id[:8]}",
                    "is_default": True,
                    "role": "owner",
                    "title": "Personal",
                }
            ],
        }

    def mint_client_token(self, client_id: str, now: float, scope: str | None) -> str:
        """RFC 6749 §4.4: an access token for a client itself (no user, no refresh token)."""
        iat = int(now)
        return self.key.sign(
            {
                "iss": self.issuer,
                "aud": ["https://api.openai.com/v1"],
                "sub": client_id,
                "client_id": client_id,
                "iat": iat,
                "exp": iat + 3600,
                "jti": secrets.token_hex(12),
                "scp": (scope or "").split(),
            }
        )

    def mint(self, persona: Persona, now: float, scope: str | None = None) -> TokenSet:
        iat = int(now)
        auth = self.auth_claims(persona)
        profile = {"email": persona.email, "email_verified": True}
        id_claims = {
            "iss": self.issuer,
            "aud": [self.client_id],
            "sub": persona.user_id,
            "iat": iat,
            "auth_time": iat,
            "exp": iat + self.lifetimes.id_token,
            "jti": secrets.token_hex(12),
            "email": persona.email,
            "email_verified": True,
            "name": persona.name,
            AUTH_CLAIM: auth,
            PROFILE_CLAIM: profile,
        }
        access_claims = {
            "iss": self.issuer,
            "aud": ["https://api.openai.com/v1"],
            "sub": persona.user_id,
            "client_id": self.client_id,
            "iat": iat,
            "nbf": iat,
            "exp": iat + self.lifetimes.access_token,
            "jti": secrets.token_hex(12),
            "scp": (scope or "openid profile email offline_access").split(),
            AUTH_CLAIM: auth,
            PROFILE_CLAIM: profile,
        }
        return TokenSet(
            id_token=self.key.sign(id_claims),
            access_token=self.key.sign(access_claims),
            refresh_token="rt_" + secrets.token_urlsafe(32),
            expires_in=self.lifetimes.access_token,
        )
