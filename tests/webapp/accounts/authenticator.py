"""A software passkey: an authenticator that makes and uses one P-256 credential as a phone
would (attestation "none", user present and verified), so that the server's checks meet real
signatures. Its answers are the JSON js/passkeys.js posts."""

from __future__ import annotations

import hashlib
import json
import os
import re

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import bytes_to_base64url

USER_PRESENT, USER_VERIFIED, ATTESTED = 0x01, 0x04, 0x40


def page_options(html: str) -> dict:
    """The ceremony's options a page carries for js/passkeys.js."""
    match = re.search(
        r"<script type=\"application/json\" data-passkey-options>(.*?)</script>", html
    )
    assert match, "the page carries no passkey options"
    return json.loads(match.group(1))


class SoftAuthenticator:
    def __init__(self, origin: str = "http://localhost") -> None:
        self.origin = origin
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.user_handle: str | None = None
        self.rp_id: str | None = None
        self.count = 0

    def create(self, options: dict, *, challenge: str | None = None) -> str:
        """The answer to `navigator.credentials.create()` with `options`."""
        self.user_handle, self.rp_id = options["user"]["id"], options["rp"]["id"]
        numbers = self.key.public_key().public_numbers()
        cose = cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32), -3: numbers.y.to_bytes(32)}
        )
        attested = bytes(16) + len(self.credential_id).to_bytes(2) + self.credential_id + cose
        data = self._authenticator_data(USER_PRESENT | USER_VERIFIED | ATTESTED) + attested
        client_data = self._client_data("webauthn.create", challenge or options["challenge"])
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": data})
        return self._credential(
            {
                "clientDataJSON": bytes_to_base64url(client_data),
                "attestationObject": bytes_to_base64url(attestation),
                "transports": ["internal"],
            }
        )

    def get(self, options: dict, *, challenge: str | None = None) -> str:
        """The answer to `navigator.credentials.get()` with `options` (a login page's)."""
        self.count += 1
        self.rp_id = self.rp_id or options["rpId"]
        data = self._authenticator_data(USER_PRESENT | USER_VERIFIED)
        client_data = self._client_data("webauthn.get", challenge or options["challenge"])
        signed = data + hashlib.sha256(client_data).digest()
        signature = self.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        response = {
            "clientDataJSON": bytes_to_base64url(client_data),
            "authenticatorData": bytes_to_base64url(data),
            "signature": bytes_to_base64url(signature),
        }
        if self.user_handle:
            response["userHandle"] = self.user_handle
        return self._credential(response)

    def _authenticator_data(self, flags: int) -> bytes:
        rp_hash = hashlib.sha256(self.rp_id.encode()).digest()
        return rp_hash + bytes([flags]) + self.count.to_bytes(4)

    def _client_data(self, kind: str, challenge: str) -> bytes:
        sent = {"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": False}
        return json.dumps(sent).encode()

    def _credential(self, response: dict) -> str:
        encoded = bytes_to_base64url(self.credential_id)
        return json.dumps(
            {
                "id": encoded,
                "rawId": encoded,
                "type": "public-key",
                "response": response,
                "clientExtensionResults": {},
                "authenticatorAttachment": "platform",
            }
        )
