"""The OpenAPI description of every JSON endpoint of the app, built from the code's own limits,
states and reason codes: API v1 (/api/v1/...), and the JSON that pages, wallets and monitors
read outside it (health, token metadata, the display's code, a ticket's state).

The server is the site's root and each path is written whole, as it is served. Each operation's
id is its view's endpoint name: tests/webapp/test_fuzz_api.py holds the document to the app's
routes and fuzzes every operation against it.
"""

from __future__ import annotations

from webapp.api.schemas import CONFIRMATION_BATCH_LIMIT, MAX_ACCOUNT_CHARS, MAX_CARD_CHARS
from webapp.checkin.display_links import MAX_TOKEN_CHARS as MAX_LINK_CHARS
from webapp.checkin.models import ClaimStatus
from webapp.checkin.rewards import AwardState
from webapp.checkin.services import MAX_CODE_CHARS, REASONS
from webapp.core.db import MAX_INTEGER
from webapp.events.services import MAX_WORD_CHARS
from webapp.perks.models import RedemptionStatus
from webapp.yui.confirmations import REASONS as CONFIRMATION_REASONS
from webapp.yui.confirmations import Status as ConfirmationStatus


def openapi_document(*, batch_limit: int, session_cookie: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Enishi API",
            "version": "1",
            "description": "Errors are JSON objects {error, message}: `error` is a stable "
            "machine code, `message` says it in the user's language.",
        },
        "servers": [{"url": "/"}],
        "paths": _paths(),
        "components": {
            "schemas": _schemas(batch_limit),
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": session_cookie,
                    "description": "the session cookie set when the phone logs in (POST /login)",
                },
                "csrf": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-CSRFToken",
                    "description": "the session's CSRF token: `csrf_token` of GET "
                    "/api/v1/session, or the page's csrf-token meta tag",
                },
            },
        },
    }


PUBLIC: list = []  # no requirement: anyone may call
LOGGED_IN = [{"session": []}]


# A token id as the metadata URLs take it (webapp.metadata.services; a test holds them equal).
HEX_ID = "[0-9a-f]{64}"
DECIMAL_ID = "0|[1-9][0-9]{0,77}"


def _token_id(pattern: str, description: str) -> dict:
    return {
        "name": "token_id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": pattern},
        "description": f"{description}; any other names no token (404)",
    }


BADGE_ID = _token_id(
    f"^({HEX_ID}|{DECIMAL_ID})$",
    "64 lowercase hex digits (as ERC-1155 clients write {id}), or decimal",
)
CARD_ID = _token_id(f"^({DECIMAL_ID})$", "decimal: the holder's address as a number")
# A display link's token, as the link carries it (webapp.checkin.display_links).
DISPLAY_LINK = {
    "name": "link",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": f"^[A-Za-z0-9_-]{{1,{MAX_LINK_CHARS}}}$"},
    "description": "the token of the display link; one that names no link is not found (404)",
}


def _paths() -> dict:
    return {
        "/api/v1/openapi.json": {
            "get": _operation(
                "api.openapi",
                "This document.",
                PUBLIC,
                {"200": _json("the OpenAPI document", {"type": "object"})},
            )
        },
        "/api/v1/session": {
            "get": _operation(
                "api.session_state",
                "Whether this phone is logged in, the CSRF token for its next post, and how "
                "many claims one post may carry.",
                PUBLIC,
                {"200": _json("the session's state", _ref("SessionState"))},
            )
        },
        "/api/v1/events": {
            "get": _operation(
                "api.current_events",
                "Events whose check-in is open or near: a phone keeps their names to label "
                "offline scans.",
                LOGGED_IN,
                {
                    "200": _json("the events", _ref("EventList")),
                    "401": _error("login_required"),
                },
            )
        },
        "/api/v1/checkins": {"post": _post_checkins()},
        "/api/v1/yui/confirmations": {"post": _post_confirmations()},
        "/healthz": {
            "get": _operation(
                "site.healthz",
                "Whether the database and the chain answer, for monitors.",
                PUBLIC,
                {
                    "200": _json("everything answers", _ref("Health")),
                    "503": _json("the database or the chain does not answer", _ref("Health")),
                },
            )
        },
        "/badges/{token_id}.json": {
            "get": _operation(
                "metadata.badge",
                "A badge's ERC-1155 metadata: the event it proves presence at, the project its "
                "holder contributed to, a 結い (help confirmed face to face) or a month's thanks.",
                PUBLIC,
                {
                    "200": _json("the metadata", _ref("BadgeMetadata")),
                    "404": _not_found("unknown_event, unknown_project or unknown_badge"),
                },
                parameters=[BADGE_ID],
            )
        },
        "/cards/{token_id}": {
            "get": _operation(
                "metadata.card",
                "A membership card's ERC-721 metadata; it names no one.",
                PUBLIC,
                {
                    "200": _json("the metadata", _ref("CardMetadata")),
                    "404": _not_found("no_such_card"),
                },
                parameters=[CARD_ID],
            )
        },
        "/badges/{token_id}.png": {
            "get": _image(
                "metadata.badge_image",
                "A badge's image.",
                "unknown_event, unknown_project or unknown_badge",
                BADGE_ID,
            )
        },
        "/cards/{token_id}.png": {
            "get": _image(
                "metadata.card_image", "A membership card's image.", "no_such_card", CARD_ID
            )
        },
        "/events/{event_id}/code": {
            "get": _operation(
                "checkin_organiser.code",
                "The event's display code of this moment, for the display page to rotate "
                "without reloading. For the event's organisers and administrators.",
                LOGGED_IN,
                {
                    "200": _json("the code", _ref("DisplayCode")),
                    **_LOGIN_PAGE,
                    "403": _error("not_an_organiser or not_your_event"),
                    "404": _not_found("unknown_event"),
                },
                parameters=[_id_parameter("event_id")],
            )
        },
        "/events/{event_id}/count": {
            "get": _operation(
                "checkin_organiser.count",
                "How many have checked in to the event, which its display page asks every few "
                "seconds. For the event's organisers and administrators.",
                LOGGED_IN,
                {
                    "200": _json("the count", _ref("CheckinCount")),
                    **_LOGIN_PAGE,
                    "403": _error("not_an_organiser or not_your_event"),
                    "404": _not_found("unknown_event"),
                },
                parameters=[_id_parameter("event_id")],
            )
        },
        "/display/{link}/count": {
            "get": _operation(
                "checkin_display.count",
                "How many have checked in to the event of a venue tablet's display link, which "
                "the tablet's display asks every few seconds. The link is the key: whoever holds "
                "it may ask.",
                PUBLIC,
                {
                    "200": _json("the count", _ref("CheckinCount")),
                    "404": _not_found("no_such_display_link"),
                    "410": _error("display_link_stopped"),
                },
                parameters=[DISPLAY_LINK],
            )
        },
        "/admin/report/report.json": {
            "get": _operation(
                "community_report.json",
                "The report for the town of a period, as JSON (the same numbers as its PDF and "
                "CSV; webapp/community/report.py describes every field). For administrators. "
                "No argument: the last whole month.",
                LOGGED_IN,
                {
                    "200": _json("the report, as an attachment", _ref("TownReport")),
                    **_LOGIN_PAGE,
                    "400": _error(
                        "bad_period, period_backwards or period_too_long; or bad_characters: a "
                        "NUL byte in the URL or the query"
                    ),
                    "403": _error("not_an_admin"),
                },
                parameters=[
                    _query(
                        "kind",
                        "what the report page's form chose: month, season, year or custom, "
                        "read with its own fields (a kind without them is bad_period); "
                        "without kind, the one field given",
                    ),
                    _query("month", "a month, 2026-11"),
                    _query("season", "a season by its first month, 2026-09 (autumn)"),
                    _query("year", "a year, 2026"),
                    _query("from", "a run of months: its first, 2026-04 (with to)"),
                    _query("to", "a run of months: its last, 2027-03 (with from)"),
                ],
            )
        },
        "/perks/tickets/{redemption_id}/state": {
            "get": _operation(
                "perks.ticket_state",
                "A ticket's state, which its page asks every few seconds. For the ticket's "
                "member only: anyone else's ticket reads as no ticket.",
                LOGGED_IN,
                {
                    "200": _json("the state", _ref("TicketState")),
                    **_LOGIN_PAGE,
                    "404": _not_found("no_such_ticket"),
                },
                parameters=[_id_parameter("redemption_id")],
            )
        },
    }


def _post_checkins() -> dict:
    return _operation(
        "api.post_checkins",
        "Send queued check-in claims; one result per claim, in order.",
        [{"session": [], "csrf": []}],
        {
            "200": _json("one result per claim", _ref("CheckinResults")),
            "400": _error(
                "malformed_batch, batch_too_large, csrf or bad_characters; nothing stored"
            ),
            "401": _error("login_required"),
            "409": _error("other_account: a claim of another account; nothing stored"),
            "413": {
                "description": "the body is over the size limit (MAX_CONTENT_LENGTH): the site's "
                "HTML page",
                "content": {"text/html": {"schema": {"type": "string"}}},
            },
        },
        description="A claim id seen before gets its first answer.",
        request_body={
            "required": True,
            "content": {"application/json": {"schema": _ref("CheckinBatch")}},
        },
    )


def _post_confirmations() -> dict:
    return _operation(
        "api.post_yui_confirmations",
        "Send queued 結い confirmations (a member card scanned face to face); one result per "
        "scan, in order.",
        [{"session": [], "csrf": []}],
        {
            "200": _json("one result per scan", _ref("ConfirmationResults")),
            "400": _error(
                "malformed_batch, batch_too_large, csrf or bad_characters; nothing stored"
            ),
            "401": _error("login_required"),
            "409": _error("other_account: a scan of another account; nothing stored"),
            "413": {
                "description": "the body is over the size limit (MAX_CONTENT_LENGTH): the site's "
                "HTML page",
                "content": {"text/html": {"schema": {"type": "string"}}},
            },
        },
        description="A scan id seen before answers `already`, as does a scan of a thread "
        "confirmed before: a thread is confirmed once.",
        request_body={
            "required": True,
            "content": {"application/json": {"schema": _ref("ConfirmationBatch")}},
        },
    )


# A page for people answers a visitor who is not logged in with the login page.
_LOGIN_PAGE = {
    "302": {
        "description": "not logged in: sent to the login page, to come back afterwards",
        "headers": {"Location": {"schema": {"type": "string"}, "required": True}},
    }
}


def _schemas(batch_limit: int) -> dict:
    string, integer, boolean = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
    return {
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": {"type": "string", "description": "stable machine code, never translated"},
                "message": {"type": "string", "description": "explanation in the user's language"},
            },
        },
        "SessionState": {
            "type": "object",
            "required": ["logged_in", "csrf_token", "account", "batch_limit"],
            "properties": {
                "logged_in": boolean,
                "csrf_token": string,
                "account": {
                    "type": ["string", "null"],
                    "description": "the opaque id the phone binds the claims it queues to; null "
                    "when not logged in",
                },
                "batch_limit": {
                    "type": "integer",
                    "const": batch_limit,
                    "description": "the most claims one POST /api/v1/checkins takes (the "
                    "batch's maxItems): a phone sends its whole outbox in one post, or in posts "
                    "of this many",
                },
            },
        },
        "TownReport": {
            "type": "object",
            "required": [
                "format", "version", "community", "period", "generated_at", "areas",
                "figures", "shops", "months", "places", "projects",
            ],
            "properties": {
                "format": {"const": "enishi-community-report"},
                "version": integer,
                "community": string,
                "period": {
                    "type": "object",
                    "required": ["kind", "first_month", "last_month", "time_zone", "label"],
                    "properties": {
                        "kind": {"enum": ["month", "season", "year", "custom"]},
                        "first_month": string,
                        "last_month": string,
                        "time_zone": string,
                        "label": string,
                    },
                },
                "generated_at": string,
                "summary_refreshed_at": {"type": ["string", "null"]},
                "areas": {"type": "array", "items": string},
                "figures": {"type": "object"},
                "shops": {"type": "array", "items": {"type": "object"}},
                "months": {"type": "array", "items": {"type": "object"}},
                "places": {"type": "array", "items": {"type": "object"}},
                "projects": {"type": "array", "items": {"type": "object"}},
            },
        },  # fmt: skip
        "EventList": {
            "type": "object",
            "required": ["events"],
            "properties": {"events": {"type": "array", "items": _ref("EventName")}},
        },
        "EventName": {
            "type": "object",
            "required": ["id", "title"],
            "properties": {"id": integer, "title": string},
        },
        "CheckinBatch": {
            "type": "object",
            "required": ["claims"],
            "properties": {
                "claims": {
                    "type": "array",
                    "items": _ref("Claim"),
                    "minItems": 1,
                    "maxItems": batch_limit,
                }
            },
        },
        "Claim": {
            "type": "object",
            "required": ["id", "code", "scanned_at"],
            "properties": {
                "id": {
                    "type": "string",
                    "format": "uuid",
                    "description": "made on the phone at scan time; the same on every retry",
                },
                "code": {
                    "type": "string",
                    "maxLength": MAX_CODE_CHARS,
                    "description": "the scanned check-in URL or its token",
                },
                "scanned_at": {
                    "type": "string",
                    "format": "date-time",
                    "description": "ISO 8601 with a time zone",
                },
                "offline": {"type": "boolean", "description": "scanned with no connection"},
                "word": {
                    "type": "string",
                    "maxLength": MAX_WORD_CHARS,
                    "description": "the secret word typed after scanning a printed code",
                },
                "account": {
                    "type": "string",
                    "maxLength": MAX_ACCOUNT_CHARS,
                    "description": "the `account` of GET /api/v1/session when the claim was "
                    "scanned; a batch with another account's claim is refused (409 other_account)",
                },
            },
        },
        "CheckinResults": {
            "type": "object",
            "required": ["results"],
            "properties": {"results": {"type": "array", "items": _ref("ClaimResult")}},
        },
        "ClaimResult": {
            "type": "object",
            "required": ["id", "status", "reason"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "status": {
                    "type": "string",
                    "enum": [status.value for status in ClaimStatus],
                    "description": "held: waits for an organiser (reason awaiting_approval)",
                },
                "reason": {"type": ["string", "null"], "enum": [*sorted(REASONS), None]},
                "message": {
                    "type": "string",
                    "description": "the reason, in the user's language; for not_invited, the "
                    "event's rule in words (who is invited)",
                },
                "offline": boolean,
                "event": _ref("EventName"),
                "award": _ref("Award"),
            },
        },
        "Award": {
            "type": "object",
            "description": "what an accepted claim brings the member",
            "required": ["state", "coins", "message"],
            "properties": {
                "state": {
                    "type": "string",
                    "enum": [state.value for state in AwardState],
                    "description": "paid: the badge and the coins; held: the coins (and the "
                    "badge) wait for an administrator's approval; budget_spent, badge_only: the "
                    "badge alone",
                },
                "coins": {"type": "integer", "minimum": 0},
                "message": {"type": "string", "description": "the award, in the user's language"},
            },
        },
        "ConfirmationBatch": {
            "type": "object",
            "required": ["confirmations"],
            "properties": {
                "confirmations": {
                    "type": "array",
                    "items": _ref("Confirmation"),
                    "minItems": 1,
                    "maxItems": CONFIRMATION_BATCH_LIMIT,
                }
            },
        },
        "Confirmation": {
            "type": "object",
            "required": ["claim_id", "thread_id", "card", "scanned_at"],
            "properties": {
                "claim_id": {
                    "type": "string",
                    "format": "uuid",
                    "description": "made on the phone at scan time; the same on every retry",
                },
                "thread_id": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_INTEGER,
                    "description": "the 結い conversation whose help is confirmed",
                },
                "card": {
                    "type": "string",
                    "maxLength": MAX_CARD_CHARS,
                    "description": "the scanned member card's text (ENISHI-M1-...)",
                },
                "scanned_at": {
                    "type": "string",
                    "format": "date-time",
                    "description": "ISO 8601 with a time zone",
                },
                "offline": {"type": "boolean", "description": "scanned with no connection"},
                "account": {
                    "type": "string",
                    "maxLength": MAX_ACCOUNT_CHARS,
                    "description": "the `account` of GET /api/v1/session when it was scanned; a "
                    "batch with another account's scan is refused (409 other_account)",
                },
            },
        },
        "ConfirmationResults": {
            "type": "object",
            "required": ["results"],
            "properties": {"results": {"type": "array", "items": _ref("ConfirmationResult")}},
        },
        "ConfirmationResult": {
            "type": "object",
            "required": ["claim_id", "status", "reason", "message"],
            "properties": {
                "claim_id": {"type": "string", "format": "uuid"},
                "status": {
                    "type": "string",
                    "enum": list(ConfirmationStatus.ALL),
                    "description": "confirmed: now (the badge of both on its way, the coins "
                    "moved); already: before, by this scan or another; refused: see reason",
                },
                "reason": {
                    "type": ["string", "null"],
                    "enum": [*sorted(CONFIRMATION_REASONS), None],
                },
                "message": {"type": "string", "description": "the answer, in the user's language"},
            },
        },
        "Health": {
            "type": "object",
            "required": ["status", "database", "chain"],
            "properties": {
                "status": {"type": "string", "enum": ["ok", "degraded"]},
                "database": {
                    "type": "object",
                    "required": ["ok"],
                    "properties": {"ok": boolean, "dialect": string, "error": string},
                },
                "chain": {
                    "type": "object",
                    "required": ["ok"],
                    "properties": {
                        "ok": boolean,
                        "chain_id": integer,
                        "block": integer,
                        "contracts": {
                            "type": ["object", "null"],
                            "properties": {"token": string, "badge": string, "card": string},
                        },
                        "error": string,
                    },
                },
            },
        },
        "Trait": {
            "type": "object",
            "required": ["trait_type", "value"],
            "properties": {"trait_type": string, "value": string},
        },
        "BadgeMetadata": {
            "type": "object",
            "required": ["name", "description", "image", "decimals", "properties", "attributes"],
            "properties": {
                "name": string,
                "description": string,
                "image": {"type": "string", "format": "uri"},
                "decimals": {"const": 0},
                "properties": {
                    "type": "object",
                    "description": "an event's badge: date and venue; a project's: since; a "
                    "結い's: category and month; a month's thanks: month",
                    "required": ["community"],
                    "properties": {
                        "date": {"type": "string", "format": "date"},
                        "venue": string,
                        "since": {"type": "string", "format": "date"},
                        "category": string,
                        "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                        "community": string,
                    },
                },
                "attributes": {"type": "array", "items": _ref("Trait")},
            },
        },
        "CardMetadata": {
            "type": "object",
            "required": ["name", "description", "image", "attributes"],
            "properties": {
                "name": string,
                "description": string,
                "image": {"type": "string", "format": "uri"},
                "attributes": {"type": "array", "items": _ref("Trait")},
            },
        },
        "DisplayCode": {
            "type": "object",
            "required": ["token", "url", "slot", "refresh_in_ms", "svg"],
            "properties": {
                "token": string,
                "url": {"type": "string", "format": "uri"},
                "slot": integer,
                "refresh_in_ms": {"type": "integer", "minimum": 0},
                "svg": {"type": "string", "description": "the code's QR image, as SVG"},
            },
        },
        "CheckinCount": {
            "type": "object",
            "required": ["checked_in"],
            "properties": {"checked_in": {"type": "integer", "minimum": 0}},
        },
        "TicketState": {
            "type": "object",
            "required": ["state"],
            "properties": {
                "state": {"type": "string", "enum": [state.value for state in RedemptionStatus]}
            },
        },
    }


def _operation(
    endpoint: str,
    summary: str,
    security: list,
    responses: dict,
    *,
    description: str | None = None,
    parameters: list | None = None,
    request_body: dict | None = None,
) -> dict:
    operation = {"operationId": endpoint, "summary": summary}
    if description:
        operation["description"] = description
    operation["security"] = security
    if parameters:
        operation["parameters"] = parameters
    if request_body:
        operation["requestBody"] = request_body
    operation["responses"] = dict(sorted({"400": BAD_CHARACTERS, **responses}.items()))
    return operation


def _id_parameter(name: str) -> dict:
    # A row's id, as the URL takes it (webapp.core.http.RowIdConverter).
    schema = {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _query(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string"},
    }


def _image(endpoint: str, summary: str, not_found: str, token_id: dict) -> dict:
    """A token's PNG image: its refusals are JSON, as the metadata's are."""
    png = {"image/png": {"schema": {"type": "string", "format": "binary"}}}
    return _operation(
        endpoint,
        summary,
        PUBLIC,
        {
            "200": {"description": "the image", "content": png},
            "304": {"description": "not changed since the ETag sent in If-None-Match"},
            "404": _not_found(not_found),
        },
        parameters=[token_id],
    )


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(codes: str) -> dict:
    return _json(codes, _ref("Error"))


# Every request: a URL or query with a NUL byte is refused (webapp.core.http).
BAD_CHARACTERS = _error("bad_characters: a NUL byte in the URL or the query")


def _not_found(codes: str) -> dict:
    """404 of a path with a parameter: a value that names nothing is the JSON error; one the
    URL cannot take (past the database's ids, not a number, with a slash) matches no route, and
    the answer is the site's HTML page."""
    answer = _error(f"{codes}; or the site's 404 page, for a URL no route takes")
    answer["content"]["text/html"] = {"schema": {"type": "string"}}
    return answer
