"""Every POST route of the app, sent hostile values by the role that may use it: long strings,
NUL bytes, emoji, right-to-left marks, negative, huge and fractional numbers, dates at the
calendar's edges, lists where one value is due, files where text is due, the form as JSON,
missing fields, and hostile values in the URL itself.

The field names are each form's own, read from the pages the role sees (a form added to a page
is fuzzed without being listed here); the route's role is the authorisation table's, so a route
added to the app is fuzzed too. No answer may be a server error, and a refused post (an error
status, or an error flashed on the way back) writes nothing: every table holds the same rows
before and after it.

The values come from a generator with a fixed seed, in a bounded number of posts per route.
"""

from __future__ import annotations

import functools
import io
import json
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import pytest
from PIL import Image
from sqlalchemy import LargeBinary, Text, cast, func, literal, select, union_all
from werkzeug.exceptions import HTTPException
from werkzeug.routing.converters import NumberConverter

from webapp.core.db import utcnow
from webapp.extensions import db

from ..conftest import PASSWORD
from .test_authorisation import ALLOWED, PUBLIC, ROLES, ROUTES, phone, served

SEED = 20261204
MIXES = 4  # random mixes of hostile values per route
LONG = "長" * 10_000

TEXTS = [
    "",
    " ",
    LONG,
    "\x00",
    "a\x00b",
    "🙂👍🏽‍🔥🇯🇵",
    "\u202e\u200fשלום\u200e",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\r\n",
]
NUMBERS = [
    "-1",
    "0",
    "-2147483649",
    "2147483648",
    "99999999999999999999999999999999",
    "1e308",
    "3.14",
    "NaN",
    "١٢",  # Arabic-Indic digits
]
TIMES = ["0001-01-01T00:00", "9999-12-31T23:59", "2026-02-30T25:61", "2026-11-30"]
# What each kind of field is sent: its own kind of trouble, and a little of the others'.
HOSTILE = {
    "text": [*TEXTS, "-1", "99999999999999999999999999999999", "9999-12-31T23:59"],
    "number": [*NUMBERS, "", "a\x00b", "🙂"],
    "datetime-local": [*TIMES, "", "a\x00b", LONG, "-1"],
}
KIND_OF = {"number": "number", "select": "number", "datetime-local": "datetime-local"}
# Values in the URL: for a number, past the database's ids; for text, what a path may carry.
HOSTILE_PATH_NUMBERS = [2**31, 2**63, 10**40]
HOSTILE_PATH_TEXT = ["a\x00b", "長" * 2_000, "🙂\u202e", "%00", " "]
MARKER = 987654321  # stands for the URL argument being replaced
# Where no page of the role shows a route's form (it appears only in some state: a held claim,
# a ticket found at the shop), these names are sent: the names the app's views read.
COMMON_NAMES = ["code", "word", "email", "user_id", "decision", "next"]
# Refusals that are recorded on purpose, by route: the tables they may write.
RECORDED_REFUSALS = {
    # A claim is stored whatever its answer: organisers see what was refused.
    "POST /c/<token>": {"claims"},
    # A wrong ticket code counts against the shop's tries.
    "POST /partner/<int:partner_id>/find": {"code_attempts"},
}
# Written by any request: when a phone's session was last used.
UNWATCHED_COLUMNS = {"device_sessions.last_seen_at"}


@dataclass
class Field:
    name: str
    kind: str  # the input's type ("text", "number", "file", ...), "select" or "textarea"
    value: str = ""


class FormReader(HTMLParser):
    """The POST forms of a page: each one's action and named fields."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[tuple[str, dict[str, Field]]] = []
        self._fields: dict[str, Field] | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form" and attrs.get("method", "get").lower() == "post":
            self._fields = {}
            self.forms.append((urljoin(self.page_url, attrs.get("action", "")), self._fields))
        elif tag == "option" and self._select is not None and not self._select.value:
            self._select.value = attrs.get("value", "")
        elif self._fields is not None and attrs.get("name"):
            name = attrs["name"]
            if tag in ("input", "button"):
                kind = attrs.get("type", "text" if tag == "input" else "submit")
                self._fields.setdefault(name, Field(name, kind, attrs.get("value", "")))
            elif tag == "select":
                self._select = self._fields.setdefault(name, Field(name, "select"))
            elif tag == "textarea":
                self._fields.setdefault(name, Field(name, "textarea"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = None


def role_for(route: str) -> str:
    """The first role, in the authorisation table's order, that may use the route."""
    kind = ROUTES[route]
    return next(role for role in ROLES if kind == PUBLIC or role in ALLOWED[kind])


def post_routes_of(role: str) -> list[str]:
    return sorted(r for r in ROUTES if r.startswith("POST ") and role_for(r) == role)


def url_of(rule, values: dict) -> str:
    return rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]


def find_forms(app, client, values) -> dict[str, dict[str, Field]]:
    """The fields of the POST forms on every page this phone opens, by the route they post
    to."""
    routes = served(app)
    adapter = app.url_map.bind("localhost")
    forms: dict[str, dict[str, Field]] = {}
    for route in sorted(r for r in ROUTES if r.startswith("GET ")):
        rule = routes[route]
        if rule.endpoint == "static" or rule.rule.endswith((".csv", ".pdf", ".png", ".jpg")):
            continue  # no page: no form
        url = url_of(rule, values)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            response.close()
            continue
        reader = FormReader(f"http://localhost{url}")
        reader.feed(response.get_data(as_text=True))
        for action, fields in reader.forms:
            path = urlsplit(action).path
            try:
                matched, _ = adapter.match(path, method="POST", return_rule=True)
            except HTTPException:
                continue
            form = forms.setdefault(f"POST {matched.rule}", {})
            for name, found in fields.items():
                form.setdefault(name, found)
    return forms


def small_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="JPEG")
    return out.getvalue()


def filled_in(form_field: Field, people) -> str | tuple:
    """What a person would send in the field, for the rest of the form to be read."""
    if form_field.kind == "file":
        return (io.BytesIO(small_jpeg()), "photo.jpg")
    if form_field.value:
        return form_field.value
    return {
        "number": "1",
        "email": people["member"].email,
        "password": PASSWORD,
        "datetime-local": (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "checkbox": "y",
    }.get(form_field.kind, "テスト")


def payloads(fields: dict[str, Field], people, rng: random.Random):
    """(what it is, form data): the form as a person fills it in; with each field missing, sent
    twice (a list), sent as a file, and given each hostile value of its kind; then random
    mixes of everything."""
    base = {name: filled_in(f, people) for name, f in fields.items() if name != "csrf_token"}

    def fresh(data):  # a file is read once: each post gets its own
        return {k: (io.BytesIO(small_jpeg()), v[1]) if isinstance(v, tuple) else v
                for k, v in data.items()}  # fmt: skip

    yield "as filled in", fresh(base)
    yield "nothing", {}
    for name, form_field in fields.items():
        if name == "csrf_token":
            continue
        yield f"{name} missing", fresh({k: v for k, v in base.items() if k != name})
        yield f"{name} twice", fresh({**base, name: ["1", "2"]})
        yield f"{name} a file", fresh({**base, name: (io.BytesIO(b"\x00" * 64), "x.bin")})
        hostile = HOSTILE[KIND_OF.get(form_field.kind, "text")]
        if form_field.kind == "hidden" and form_field.value.isdigit():
            hostile = HOSTILE["number"]
        for value in hostile:
            yield f"{name}={value[:20]!r}", fresh({**base, name: value})
    yield "an unknown field", fresh({**base, "a\x00b": LONG})
    choices = [*TEXTS, *NUMBERS, *TIMES, None, ["1", "2"]]
    for n in range(MIXES):
        names = [*base, *rng.sample(COMMON_NAMES, 2)]
        mix = {name: rng.choice(choices) for name in names}
        yield f"random mix {n}", {k: v for k, v in mix.items() if v is not None}


def json_forms(fields: dict[str, Field], rng: random.Random):
    """The form sent as JSON (the CSRF token in its header), its values of every JSON type: a
    form must read only what a form sends."""
    values = [1, -1, 2**80, 1.5, True, None, [], ["a", "b"], {}, {"a": 1}, "\x00"]
    names = [name for name in fields if name != "csrf_token"] or COMMON_NAMES
    for n in range(2):
        yield f"as JSON {n}", json.dumps({name: rng.choice(values) for name in names})


def json_payloads(rng: random.Random):
    """Bodies for the JSON API, as raw text: JSON can say what a form cannot (a lone
    surrogate, a number past any integer, an object where text is due). Each claim has an id of
    its own: a claim id seen before gets its first answer, without a look at the rest."""

    def good():
        claim_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        return {"id": claim_id, "code": "x", "scanned_at": "2026-11-30T10:00:00+09:00"}

    texts = [json.dumps(v) for v in [*TEXTS, *NUMBERS, *TIMES]]
    texts += ['"\\ud800"', '"a\\u0000b"', "1e999", "-1", "[]", "{}", "null", "true", str(2**80)]
    yield "not JSON", "{"
    yield "a list", "[]"
    yield "claims not a list", '{"claims": "x"}'
    for name in [*good(), "offline", "word", "account"]:
        for text in texts:
            claim = {k: json.dumps(v) for k, v in good().items() if k != name}
            claim[name] = text
            yield f"{name}={text[:20]}", claims_body(claim)
    for n in range(MIXES):
        yield f"random claim {n}", claims_body({name: rng.choice(texts) for name in good()})


def claims_body(claim: dict[str, str]) -> str:
    """A batch of one claim, its values already JSON text."""
    return '{"claims": [{' + ", ".join(f'"{k}": {v}' for k, v in claim.items()) + "}]}"


def hostile_urls(rule, values):
    """The route's URL with each of its arguments replaced by hostile values in turn."""
    args = {name: values[name] for name in rule.arguments}
    for name, converter in rule._converters.items():
        template = rule.build({**args, name: MARKER}, append_unknown=False)[1]
        numbers = isinstance(converter, NumberConverter)
        for value in HOSTILE_PATH_NUMBERS if numbers else HOSTILE_PATH_TEXT:
            url = template.replace(str(MARKER), quote(str(value), safe=""))
            yield f"{name}={str(value)[:20]!r}", url


def table_rows() -> dict[str, list]:
    """Every row of every table (as text, in one query), read outside the test's session."""
    rows = {table.name: [] for table in db.metadata.sorted_tables}
    with db.engine.connect() as connection:
        for name, row in connection.execute(all_rows(db.engine.dialect.name)):
            rows[name].append(row)
    return {name: sorted(found) for name, found in rows.items()}


@functools.cache
def all_rows(dialect: str):
    """(table, the row's columns as text) for every row of every table."""

    def text(column):
        if isinstance(column.type, LargeBinary):  # bytes are no UTF-8 text: as hex digits
            return func.hex(column) if dialect == "sqlite" else func.encode(column, "hex")
        return cast(column, Text)

    parts = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if str(c) not in UNWATCHED_COLUMNS]
        texts = [func.coalesce(text(column), "∅") for column in columns]
        row = functools.reduce(lambda left, right: left + "|" + right, texts)
        parts.append(select(literal(table.name).label("name"), row.label("row")))
    return union_all(*parts)


def flashed_errors(client) -> list[str]:
    """The errors flashed to this phone (taken: a page would have shown them)."""
    with client.session_transaction() as session:
        flashes = session.pop("_flashes", [])
    return [message for category, message in flashes if category == "error"]


class Poster:
    """Posts as one person (or as nobody), logging in again when a post ended the session,
    and notes what went wrong."""

    def __init__(self, app, person) -> None:
        self.app, self.person = app, person
        self.problems: list[str] = []
        self._log_in()

    def _log_in(self) -> None:
        self.client = phone(self.app, self.person)
        self.token = self.client.get("/api/v1/session").get_json()["csrf_token"]
        self.rows = table_rows()

    def post(self, route: str, url: str, what: str, data, **kwargs) -> None:
        if isinstance(data, dict):
            data = {"csrf_token": self.token, **data}
        try:
            response = self.client.post(url, data=data, **kwargs)
        except Exception as error:  # the test app lets a view's exception through: a 500
            self.problems.append(f"{route} {what}: {error!r:.200}")
            self.rows = table_rows()
            return
        response.close()
        status, errors, rows = response.status_code, flashed_errors(self.client), table_rows()
        if status >= 500:
            self.problems.append(f"{route} {what}: {status}")
        elif status >= 400 or errors:
            written = {name for name in rows if rows[name] != self.rows[name]}
            if written - RECORDED_REFUSALS.get(route, set()):
                self.problems.append(f"{route} {what}: refused ({status}), yet wrote {written}")
        self.rows = rows
        if self.person is not None and urlsplit(response.location or "").path == "/login":
            self._log_in()  # the post logged this phone out


@pytest.mark.parametrize("role", [role for role in ROLES if post_routes_of(role)])
def test_hostile_posts_get_no_server_error_and_write_nothing_when_refused(app, world, role):
    values, people = world
    poster = Poster(app, people.get(role))
    forms = find_forms(app, poster.client, values)
    poster.rows = table_rows()  # opening the pages may write (a scanned code is a claim)
    rng = random.Random(f"{SEED}:{role}")
    routes = served(app)
    for route in post_routes_of(role):
        rule = routes[route]
        url = url_of(rule, values)
        if rule.rule.startswith("/api/"):
            for what, body in json_payloads(rng):
                poster.post(route, url, what, body, content_type="application/json",
                            headers={"X-CSRFToken": poster.token})  # fmt: skip
            continue
        fields = forms.get(route) or {name: Field(name, "text") for name in COMMON_NAMES}
        for what, data in payloads(fields, people, rng):
            poster.post(route, url, what, data)
        for what, body in json_forms(fields, rng):
            poster.post(route, url, what, body, content_type="application/json",
                        headers={"X-CSRFToken": poster.token})  # fmt: skip
        for what, hostile_url in hostile_urls(rule, values):
            poster.post(route, hostile_url, f"URL {what}", {})
    assert not poster.problems, "\n".join(poster.problems)
