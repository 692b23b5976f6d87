"""Discord's HTTP API, the few calls Linked Roles need. The base URL comes from the config
(ENISHI_DISCORD_API_URL: Discord's own, or the tests' local server). Every failure becomes one
`DiscordError` with a stable kind and a plain description."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from flask import current_app
from flask_babel import lazy_gettext as _l

TIMEOUT = (5, 15)  # seconds to connect, to read
SCOPES = "role_connections.write identify"

# What each kind of failure means, for the administrator's page.
ERROR_WORDS = {
    "unauthorized": _l("Discord no longer accepts this member's login: they must connect again."),
    "rate_limited": _l("Discord asked us to slow down: it is tried again later."),
    "server_error": _l("Discord had a problem on its side: it is tried again later."),
    "network": _l("Discord could not be reached: it is tried again later."),
    "refused": _l("Discord refused the request: check the settings."),
    "unreadable": _l("A saved key can no longer be read (the app's secret key changed)."),
}


class DiscordError(Exception):
    def __init__(
        self, kind: str, detail: str = "", *, status: int | None = None, retry_after=None
    ) -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail
        self.status = status
        self.retry_after = retry_after  # seconds, for a 429

    @property
    def description(self) -> str:
        """The failure in plain words, and what Discord said."""
        words = str(ERROR_WORDS.get(self.kind, self.kind))
        return f"{words} ({self.detail})" if self.detail else words


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int  # seconds


class DiscordClient:
    def __init__(self, base_url: str, timeout=TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def authorize_url(self, client_id: str, redirect_uri: str, state: str) -> str:
        query = urlencode(
            {
                "client_id": client_id,
                "redirect_uri": redirect_uri,
                "response_type": "code",
                "scope": SCOPES,
                "state": state,
                "prompt": "consent",
            }
        )
        return f"{self.base_url}/oauth2/authorize?{query}"

    def exchange_code(self, client_id, client_secret, code: str, redirect_uri: str) -> Tokens:
        return self._tokens(
            client_id, client_secret,
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        )  # fmt: skip

    def refresh(self, client_id, client_secret, refresh_token: str) -> Tokens:
        return self._tokens(
            client_id, client_secret,
            {"grant_type": "refresh_token", "refresh_token": refresh_token},
        )  # fmt: skip

    def get_me(self, access_token: str) -> dict:
        return self._call("GET", "/users/@me", bearer=access_token)

    def put_role_connection(self, access_token: str, client_id: str, body: dict) -> dict:
        path = f"/users/@me/applications/{client_id}/role-connection"
        return self._call("PUT", path, bearer=access_token, json=body)

    def register_metadata(self, client_id: str, bot_token: str, records: list[dict]) -> list:
        path = f"/applications/{client_id}/role-connections/metadata"
        return self._call("PUT", path, bot=bot_token, json=records)

    def _tokens(self, client_id, client_secret, form: dict) -> Tokens:
        form = {**form, "client_id": client_id, "client_secret": client_secret}
        answer = self._call("POST", "/oauth2/token", data=form, token_endpoint=True)
        try:
            return Tokens(
                answer["access_token"], answer["refresh_token"], int(answer["expires_in"])
            )
        except (KeyError, TypeError, ValueError) as error:
            raise DiscordError("refused", "no token in Discord's answer") from error

    def _call(
        self, method: str, path: str, *, bearer=None, bot=None, token_endpoint=False, **kwargs
    ):
        headers = {"User-Agent": "Enishi (https://github.com/enishi, 1)"}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        if bot:
            headers["Authorization"] = f"Bot {bot}"
        try:
            response = requests.request(
                method, self.base_url + path, headers=headers, timeout=self.timeout, **kwargs
            )
        except requests.RequestException as error:
            raise DiscordError("network", type(error).__name__) from error
        if response.status_code >= 400:
            raise _error(response, bearer=bool(bearer), token_endpoint=token_endpoint)
        try:
            return response.json()
        except ValueError as error:
            raise DiscordError("server_error", "not JSON", status=response.status_code) from error


def _error(response: requests.Response, *, bearer: bool, token_endpoint: bool) -> DiscordError:
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    said = str(body.get("error_description") or body.get("message") or body.get("error") or "")
    detail = f"{status} {said}".strip()[:300]
    if status == 429:
        retry_after = body.get("retry_after") or response.headers.get("Retry-After") or 1
        try:
            seconds = float(retry_after)
        except (TypeError, ValueError):
            seconds = 1.0
        return DiscordError("rate_limited", detail, status=status, retry_after=seconds)
    if status >= 500:
        return DiscordError("server_error", detail, status=status)
    # The member's login is no longer good: a 401 to a call made with their access token, or
    # OAuth's invalid_grant from the token endpoint (their refresh token). The token endpoint's
    # own 401 (invalid_client: the application's secret is wrong) and a bot token's 401 are the
    # settings' fault: refused, tried again later, and no member is asked to connect again.
    if (bearer and status == 401) or (token_endpoint and body.get("error") == "invalid_grant"):
        return DiscordError("unauthorized", detail, status=status)
    return DiscordError("refused", detail, status=status)


def get_discord_client() -> DiscordClient:
    return DiscordClient(current_app.config["DISCORD_API_URL"])
