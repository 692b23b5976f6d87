"""The OpenAPI document describes every JSON endpoint, and the app answers as it says.

Schemathesis fuzzes each operation of the document through WSGI, as an anonymous phone, a
member's and an organiser's (each with its own session cookie and CSRF token), with a fixed seed
and a bounded number of examples: no answer is a server error, and each has a documented status
code, content type and body. The document must be the one the app serves, name the app's own
routes, and leave out no route that answers JSON (tests/webapp/test_methods.py checks the same
of its sweep).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass

import jsonschema
import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.definitions import OPENAPI_31

from webapp.api.openapi import DECIMAL_ID, HEX_ID, openapi_document
from webapp.config import load_config
from webapp.core.db import utcnow
from webapp.metadata import services as metadata

from .test_authorisation import ROUTES, ask, phone, served
from .test_fuzz_forms import role_for

DOCUMENT_URL = "/api/v1/openapi.json"
# The document as the app serves it with its default settings (a test below holds them equal).
DOCUMENT = openapi_document(
    batch_limit=load_config()["CHECKIN_BATCH_LIMIT"],
    session_cookie=Flask.default_config["SESSION_COOKIE_NAME"],
)
SEED = 20261204
EXAMPLES = 20  # per operation and phase
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CONFIG = {
    "seed": SEED,
    "generation": {
        "max-examples": EXAMPLES,
        "deterministic": True,
        "database": "none",
        # The session cookie and the CSRF token are each phone's own (see `phones`).
        "with-security-parameters": False,
    },
    "phases": {"stateful": {"enabled": False}},
}
schema = schemathesis.openapi.from_dict(DOCUMENT, config=SchemathesisConfig.from_dict(CONFIG))


# Schemathesis asks for compressed answers and, through Werkzeug's test client, reads them as
# they come: the answers are asked for uncompressed here (tests/webapp/test_assets.py covers
# compression).
PLAIN = {"Accept-Encoding": "identity"}


@dataclass
class Phone:
    role: str
    client: FlaskClient
    headers: dict


@pytest.fixture
def phones(app, world) -> list[Phone]:
    """An anonymous phone, a member's and an organiser's, each with its session's CSRF token."""
    _values, people = world
    found = []
    for role in ("anonymous", "member", "organiser"):
        client = phone(app, people.get(role))
        token = client.get("/api/v1/session").get_json()["csrf_token"]
        found.append(Phone(role, client, {"X-CSRFToken": token} | PLAIN))
    return found


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_operation_answers_as_documented(case, app, phones):
    for caller in phones:
        response = case.call(app=app, session=caller.client, headers=caller.headers)
        try:
            case.validate_response(response, checks=CHECKS)
        except BaseException as failure:
            failure.add_note(f"asked by: {caller.role}")
            raise


def test_the_fuzzed_document_is_the_one_the_app_serves(client):
    assert client.get(DOCUMENT_URL).get_json() == json.loads(json.dumps(DOCUMENT))


def test_the_document_is_valid_openapi_3_1():
    # The OpenAPI 3.1 schema as schemathesis ships it (no network in tests).
    document = json.loads(json.dumps(DOCUMENT))
    errors = jsonschema.Draft202012Validator(OPENAPI_31).iter_errors(document)
    assert [error.message for error in errors] == []


def openapi_path(rule) -> str:
    """A Flask rule as an OpenAPI path: `/events/<int:event_id>` is `/events/{event_id}`."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)


def documented_routes(app) -> dict[str, tuple[str, str]]:
    """Each operation of the document as the authorisation table names its route ("GET
    /events/<int:event_id>/code"), with its path and method in the document. An operation's id
    is its view's endpoint, and the view's rule must be the operation's path."""
    routes = {}
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            rules = [
                rule
                for rule in app.url_map.iter_rules(operation["operationId"])
                if openapi_path(rule) == path and method.upper() in rule.methods
            ]
            assert rules, f"{method.upper()} {path}: no route of {operation['operationId']}"
            routes[f"{method.upper()} {rules[0].rule}"] = (path, method)
    return routes


def test_each_operation_is_a_route_of_its_view(app):
    assert set(documented_routes(app)) <= set(ROUTES)


def test_the_token_ids_are_the_metadata_urls_own():
    assert (HEX_ID, DECIMAL_ID) == (metadata.HEX_ID.pattern, metadata.DECIMAL_ID.pattern)


def test_every_route_that_answers_json_is_documented_and_answers_as_it_says(app, world):
    """Every route asked by the first role that may use it, with real values: each that answers
    JSON is documented, and each documented one answers 200 with the documented body."""
    values, people = world
    routes, documented = served(app), documented_routes(app)
    clients, answered_json, wrong = {}, set(), []
    for route in sorted(ROUTES):
        method, _ = route.split(" ", 1)
        rule = routes[route]
        role = role_for(route)
        if role not in clients:
            clients[role] = phone(app, people.get(role))
        client = clients[role]
        args = {name: values[name] for name in rule.arguments}
        if rule.endpoint.startswith("metadata.card"):  # a card's id is its holder's address
            args["token_id"] = str(int(people["member"].address, 16))
        if route not in documented:
            if route == "POST /logout":
                continue  # it would end the session of the phones kept here
            url = rule.build(args, append_unknown=False)[1]
            if ask(client, method, url).mimetype == "application/json":
                answered_json.add(route)
            continue
        path, verb = documented[route]
        case = schema[path][verb].Case(path_parameters=args, **request_of(route, values))
        token = client.get("/api/v1/session").get_json()["csrf_token"]
        response = case.call(app=app, session=client, headers={"X-CSRFToken": token} | PLAIN)
        case.validate_response(response, checks=CHECKS)
        if response.status_code != 200:
            wrong.append(f"{route}: {response.status_code} to {role}")
    assert answered_json == set(), "answers JSON, but the OpenAPI document leaves it out"
    assert wrong == []


def request_of(route: str, values: dict) -> dict:
    """A request body that succeeds, where the route takes one."""
    if route == "POST /api/v1/yui/confirmations":
        scan = {"claim_id": str(uuid.uuid4()), "thread_id": values["thread_id"],
                "card": values["neighbour_card"], "scanned_at": utcnow().isoformat()}  # fmt: skip
        return {"body": {"confirmations": [scan]}, "media_type": "application/json"}
    if route != "POST /api/v1/checkins":
        return {}
    claim = {"id": str(uuid.uuid4()), "code": values["token"], "scanned_at": utcnow().isoformat()}
    return {"body": {"claims": [claim]}, "media_type": "application/json"}
