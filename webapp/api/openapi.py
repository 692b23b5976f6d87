"""The OpenAPI description of API v1, built from the code's own limits and reason codes."""

from __future__ import annotations

from webapp.checkin.services import MAX_CODE_CHARS, REASONS
from webapp.events.services import MAX_WORD_CHARS


def openapi_document(batch_limit: int) -> dict:
    error = {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "stable machine code, never translated"},
            "message": {"type": "string", "description": "explanation in the user's language"},
        },
    }
    claim = {
        "type": "object",
        "required": ["id", "code", "scanned_at"],
        "properties": {
            "id": {"type": "string", "format": "uuid", "description": "made on the phone at scan "
                   "time; the same on every retry"},
            "code": {"type": "string", "maxLength": MAX_CODE_CHARS,
                     "description": "the scanned check-in URL or its token"},
            "scanned_at": {"type": "string", "format": "date-time",
                           "description": "ISO 8601 with a time zone"},
            "offline": {"type": "boolean", "description": "scanned with no connection"},
            "word": {"type": "string", "maxLength": MAX_WORD_CHARS,
                     "description": "the secret word typed after scanning a printed code"},
            "account": {"type": "string", "maxLength": 64,
                        "description": "the `account` of GET /session when the claim was scanned; "
                        "a batch with another account's claim is refused (409 other_account)"},
        },
    }  # fmt: skip
    result = {
        "type": "object",
        "required": ["id", "status", "reason"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "status": {
                "type": "string",
                "enum": ["accepted", "duplicate", "rejected", "held"],
                "description": "held: waits for an organiser (reason awaiting_approval)",
            },
            "reason": {"type": ["string", "null"], "enum": [*sorted(REASONS), None]},
            "message": {"type": "string"},
            "event": {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "title": {"type": "string"}},
            },
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Enishi API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/checkins": {
                "post": {
                    "summary": "Send queued check-in claims; one result per claim, in order.",
                    "description": "Needs the session cookie and the X-CSRFToken header (the "
                    "page's csrf-token meta tag). A claim id seen before gets its first answer.",
                    "parameters": [
                        {
                            "name": "X-CSRFToken",
                            "in": "header",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                    ],  # fmt: skip
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["claims"],
                                    "properties": {
                                        "claims": {
                                            "type": "array",
                                            "items": claim,
                                            "minItems": 1,
                                            "maxItems": batch_limit,
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(
                            "one result per claim",
                            {
                                "type": "object",
                                "required": ["results"],
                                "properties": {"results": {"type": "array", "items": result}},
                            },
                        ),
                        "400": _json(
                            "malformed_batch, batch_too_large or csrf; nothing stored", error
                        ),
                        "401": _json("login_required", error),
                        "409": _json(
                            "other_account: a claim of another account; nothing stored", error
                        ),
                    },  # fmt: skip
                }
            }
        },
    }


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}
