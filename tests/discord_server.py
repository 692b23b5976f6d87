"""A small Discord, run by the tests on this machine: the few endpoints of its API that Linked
Roles use, with what each user's role connection holds, and switches to make it fail.

    POST /oauth2/token            authorization_code and refresh_token grants (client id and
                                  secret checked, the code bound to its redirect_uri)
    GET  /oauth2/authorize        approves at once as `next_user`: redirects to redirect_uri
                                  with a code and the state
    GET  /users/@me               the token's user
    PUT  /users/@me/applications/{id}/role-connection   (and GET): kept per user
    PUT  /applications/{id}/role-connections/metadata   the bot's token ("Bot <token>")

Paths may start with /api/v10, as Discord's do."""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

PREFIX = "/api/v10"


@dataclass
class Failure:
    path: str  # a part of the path that the failing requests contain
    status: int
    times: int
    retry_after: float | None = None


@dataclass
class Grant:
    user_id: str
    client_id: str
    redirect_uri: str = ""


@dataclass
class DiscordState:
    client_id: str
    client_secret: str
    bot_token: str
    users: dict[str, str] = field(default_factory=dict)  # id -> username
    next_user: str | None = None  # who approves the next authorisation
    expires_in: int = 604800
    codes: dict[str, Grant] = field(default_factory=dict)
    access: dict[str, Grant] = field(default_factory=dict)
    refresh: dict[str, Grant] = field(default_factory=dict)
    role_connections: dict[str, dict] = field(default_factory=dict)  # user id -> body
    metadata: list | None = None
    failures: list[Failure] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    # Called with (method, path) before each answer, outside the lock (a test's probe).
    while_answering: object = None


class FakeDiscord:
    def __init__(self, client_id="1100", client_secret="s3cret", bot_token="bot-token") -> None:
        self.state = DiscordState(client_id, client_secret, bot_token)
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{PREFIX}"

    def start(self) -> FakeDiscord:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    # What a test sets up and reads.

    def add_user(self, user_id: str, username: str) -> None:
        with self.lock:
            self.state.users[user_id] = username
            self.state.next_user = user_id

    def approve_as(self, user_id: str) -> None:
        self.state.next_user = user_id

    def code_for(self, user_id: str, redirect_uri: str) -> str:
        """A code as the authorisation page would hand it (for tests that skip the browser)."""
        code = secrets.token_urlsafe(12)
        with self.lock:
            self.state.codes[code] = Grant(user_id, self.state.client_id, redirect_uri)
        return code

    def fail(self, path: str, status: int, times: int = 1, retry_after=None) -> None:
        with self.lock:
            self.state.failures.append(Failure(path, status, times, retry_after))

    def revoke_tokens(self, user_id: str) -> None:
        """The member removed the app on Discord's side: none of its tokens works any more."""
        with self.lock:
            for table in (self.state.access, self.state.refresh):
                for token in [t for t, g in table.items() if g.user_id == user_id]:
                    del table[token]

    def expire_access(self, user_id: str) -> None:
        """Access tokens stop working before their time; refresh tokens still do."""
        with self.lock:
            for token in [t for t, g in self.state.access.items() if g.user_id == user_id]:
                del self.state.access[token]

    def metadata_of(self, user_id: str) -> dict | None:
        with self.lock:
            body = self.state.role_connections.get(user_id)
            return dict(body["metadata"]) if body else None

    def set_metadata(self, user_id: str, metadata: dict) -> None:
        """A change made on Discord's side (drift)."""
        with self.lock:
            self.state.role_connections.setdefault(user_id, {})["metadata"] = dict(metadata)

    def count(self, method: str, path_part: str) -> int:
        with self.lock:
            return sum(1 for m, p in self.state.requests if m == method and path_part in p)


def _handler(discord: FakeDiscord):
    state = discord.state

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            path = parts.path[len(PREFIX) :] if parts.path.startswith(PREFIX) else parts.path
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if state.while_answering is not None:
                state.while_answering(method, path)
            with discord.lock:
                state.requests.append((method, path))
                failure = self._failure(path)
                if failure is not None:
                    return self._fail(failure)
                routes = {
                    ("GET", "/oauth2/authorize"): lambda: self._authorize(parse_qs(parts.query)),
                    ("POST", "/oauth2/token"): lambda: self._token(parse_qs(raw.decode())),
                    ("GET", "/users/@me"): self._me,
                }
                if (method, path) in routes:
                    return routes[method, path]()
                segments = path.strip("/").split("/")
                if segments[:3] == ["users", "@me", "applications"] and len(segments) == 5:
                    return self._role_connection(method, segments[3], raw)
                if segments[0] == "applications" and segments[2:] == [
                    "role-connections",
                    "metadata",
                ]:
                    return self._metadata(method, segments[1], raw)
                self._json(404, {"message": "404: Not Found", "code": 0})

        def _failure(self, path: str) -> Failure | None:
            for failure in state.failures:
                if failure.path in path and failure.times > 0:
                    failure.times -= 1
                    return failure
            return None

        def _fail(self, failure: Failure) -> None:
            if failure.status == 429:
                body = {
                    "message": "You are being rate limited.",
                    "retry_after": failure.retry_after,
                    "global": False,
                }
                return self._json(429, body, {"Retry-After": str(failure.retry_after)})
            self._json(failure.status, {"message": f"{failure.status}: failed", "code": 0})

        def _authorize(self, query: dict) -> None:
            one = {name: values[0] for name, values in query.items()}
            if one.get("client_id") != state.client_id or state.next_user is None:
                return self._json(400, {"message": "Invalid OAuth2 application", "code": 0})
            if "role_connections.write" not in one.get("scope", "").split():
                return self._json(400, {"message": "Invalid scope", "code": 0})
            code = secrets.token_urlsafe(12)
            state.codes[code] = Grant(state.next_user, state.client_id, one["redirect_uri"])
            target = one["redirect_uri"] + "?" + urlencode({"code": code, "state": one["state"]})
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _token(self, form: dict) -> None:
            one = {name: values[0] for name, values in form.items()}
            if (one.get("client_id"), one.get("client_secret")) != (
                state.client_id,
                state.client_secret,
            ):
                return self._json(401, {"error": "invalid_client"})
            if one.get("grant_type") == "authorization_code":
                grant = state.codes.pop(one.get("code", ""), None)
                if grant is None or grant.redirect_uri != one.get("redirect_uri"):
                    return self._json(400, {"error": "invalid_grant",
                                            "error_description": "Invalid code"})  # fmt: skip
            elif one.get("grant_type") == "refresh_token":
                grant = state.refresh.pop(one.get("refresh_token", ""), None)
                if grant is None:
                    said = "Invalid refresh token"
                    return self._json(400, {"error": "invalid_grant", "error_description": said})
            else:
                return self._json(400, {"error": "unsupported_grant_type"})
            access, refresh = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
            state.access[access] = grant
            state.refresh[refresh] = grant
            self._json(200, {"access_token": access, "token_type": "Bearer",
                             "expires_in": state.expires_in, "refresh_token": refresh,
                             "scope": "role_connections.write identify"})  # fmt: skip

        def _bearer(self) -> Grant | None:
            header = self.headers.get("Authorization", "")
            if not header.startswith("Bearer "):
                return None
            return state.access.get(header[len("Bearer ") :])

        def _me(self) -> None:
            grant = self._bearer()
            if grant is None:
                return self._json(401, {"message": "401: Unauthorized", "code": 0})
            self._json(200, {"id": grant.user_id, "username": state.users[grant.user_id],
                             "global_name": None})  # fmt: skip

        def _role_connection(self, method: str, app_id: str, raw: bytes) -> None:
            grant = self._bearer()
            if grant is None or grant.client_id != app_id:
                return self._json(401, {"message": "401: Unauthorized", "code": 0})
            if method == "PUT":
                body = json.loads(raw or b"{}")
                state.role_connections[grant.user_id] = {
                    "platform_name": body.get("platform_name"),
                    "platform_username": body.get("platform_username"),
                    "metadata": dict(body.get("metadata") or {}),
                }
            elif method != "GET":
                return self._json(405, {"message": "405: Method Not Allowed", "code": 0})
            self._json(200, state.role_connections.get(grant.user_id, {"metadata": {}}))

        def _metadata(self, method: str, app_id: str, raw: bytes) -> None:
            header = self.headers.get("Authorization", "")
            if header != f"Bot {state.bot_token}" or app_id != state.client_id:
                return self._json(401, {"message": "401: Unauthorized", "code": 0})
            if method == "PUT":
                records = json.loads(raw or b"[]")
                bad = [r for r in records if r.get("type") not in range(1, 9)]
                if bad or len(records) > 5:
                    return self._json(400, {"message": "Invalid Form Body", "code": 50035})
                state.metadata = records
            self._json(200, state.metadata or [])

        def _json(self, status: int, body, headers=None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler
