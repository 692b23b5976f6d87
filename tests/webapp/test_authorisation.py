"""Who may open what: every route of the app, every method it serves, asked by each role.

Each route is listed with the rule that guards it. A route that is added without being listed
here fails the test, and so does a route listed here that the app no longer has.

Rules, and what each role must get:
- PUBLIC: the same answer for everyone.
- MEMBER: anyone logged in; anonymous visitors are sent to the login page.
- CLAIM: a check-in link: anyone logged in; anonymous visitors get the event's page with the ways
  to log in, each of which comes back to the link.
- API: anyone logged in; anonymous callers get 401 (JSON, no redirect).
- ORGANISER: organisers and administrators; members and shop staff get 403.
- EVENT: the event's own organisers and administrators; an organiser of another event, members
  and shop staff get 403.
- STAFF: the shop's staff and administrators; everyone else logged in gets 403.
- ADMIN: administrators only.
- OWNER: the member's own ticket, badge, record, thanks or 結い conversation only; anyone else
  logged in gets 404 (their existence is not told).
- LEAD: the project's lead (the member, in this world) and administrators; anyone else logged in
  gets 403.
- POSTER: the 結い post's own person (the member, in this world) only; anyone else logged in gets
  403.
"""

from __future__ import annotations

import pytest

from ..conftest import csrf_token, log_in

ROLES = ("anonymous", "member", "staff", "other_organiser", "organiser", "admin")

PUBLIC, MEMBER, CLAIM, API, ORGANISER, EVENT, STAFF, ADMIN, OWNER, LEAD, POSTER = (
    "public", "member", "claim", "api", "organiser", "event", "staff", "admin", "owner", "lead",
    "poster",
)  # fmt: skip

ROUTES = {
    "GET /": MEMBER,
    "GET /account": MEMBER,
    "GET /account/close": MEMBER,
    "POST /account/close": MEMBER,
    "GET /account/contribution": MEMBER,
    "GET /account/data": MEMBER,
    "GET /account/data/enishi-data.zip": MEMBER,
    "GET /account/devices": MEMBER,
    "POST /account/devices/<device_id>/end": MEMBER,
    "GET /account/discord/callback": MEMBER,
    "GET /account/discord/connect": MEMBER,
    "POST /account/discord/disconnect": MEMBER,
    "POST /account/name": MEMBER,
    "POST /account/passkeys": MEMBER,
    "GET /account/profile": MEMBER,
    "POST /account/profile": MEMBER,
    "GET /account/passkeys/new": MEMBER,
    "POST /account/passkeys/<int:passkey_id>/remove": MEMBER,
    "POST /account/password": MEMBER,
    "POST /account/text-size": MEMBER,
    "GET /admin/audit": ADMIN,
    "GET /admin/audit/audit.csv": ADMIN,
    "GET /admin/report": ADMIN,
    "GET /admin/report/report.pdf": ADMIN,
    "GET /admin/report/report.csv": ADMIN,
    "GET /admin/report/report.json": ADMIN,
    "GET /admin/chain": ADMIN,
    "GET /admin/community": ADMIN,
    "POST /admin/community": ADMIN,
    "GET /admin/thanks": ADMIN,
    "POST /admin/thanks": ADMIN,
    "POST /admin/chain/retry": ADMIN,
    "GET /admin/discord": ADMIN,
    "POST /admin/discord": ADMIN,
    "POST /admin/discord/metadata": ADMIN,
    "POST /admin/discord/connections/<int:connection_id>/retry": ADMIN,
    "GET /admin/rewards": ADMIN,
    "POST /admin/rewards/<int:event_id>/approve": ADMIN,
    "POST /admin/rewards/<int:event_id>/drop": ADMIN,
    "GET /admin/perks": ADMIN,
    "POST /admin/perks": ADMIN,
    "POST /admin/perks/<int:perk_id>/pause": ADMIN,
    "POST /admin/perks/partners": ADMIN,
    "POST /admin/perks/partners/<int:partner_id>/staff": ADMIN,
    "POST /admin/perks/partners/<int:partner_id>/staff/<int:user_id>/remove": ADMIN,
    "GET /admin/projects": ADMIN,
    "POST /admin/projects/<int:project_id>/approve": ADMIN,
    "POST /admin/projects/<int:project_id>/decline": ADMIN,
    "POST /api/v1/checkins": API,
    "GET /api/v1/events": API,
    "POST /api/v1/yui/confirmations": API,
    "GET /api/v1/openapi.json": PUBLIC,
    "GET /api/v1/session": PUBLIC,
    "GET /badges/<token_id>.json": PUBLIC,
    "GET /badges/<token_id>.png": PUBLIC,
    "GET /calendar": MEMBER,
    "GET /community": MEMBER,
    "GET /community/charts/<chart>.svg": MEMBER,
    "GET /community/public": PUBLIC,
    "GET /community/public/charts/<chart>.svg": PUBLIC,
    "GET /calendar/<int:event_id>": MEMBER,
    "POST /calendar/<int:event_id>/rsvp": MEMBER,
    "POST /calendar/<int:event_id>/rsvp/cancel": MEMBER,
    "GET /c/<token>": CLAIM,
    "POST /c/<token>": CLAIM,
    "GET /cards/<token_id>": PUBLIC,
    "GET /cards/<token_id>.png": PUBLIC,
    "GET /display/<link>": PUBLIC,  # whoever holds the link: it is the key
    "GET /display/<link>/count": PUBLIC,  # the same
    "GET /events": ORGANISER,
    "GET /events/new": ORGANISER,
    "POST /events/new": ORGANISER,
    "GET /events/<int:event_id>": EVENT,
    "GET /events/<int:event_id>/activity": EVENT,
    "GET /events/<int:event_id>/attendance.csv": EVENT,
    "GET /decisions": MEMBER,
    "GET /decisions/new": MEMBER,
    "POST /decisions/new": MEMBER,
    "GET /decisions/<int:proposal_id>": MEMBER,
    "POST /decisions/<int:proposal_id>/vote": MEMBER,
    "GET /decisions/<int:proposal_id>/ballots.csv": MEMBER,
    "GET /decisions/<int:proposal_id>/meeting": ORGANISER,
    "POST /decisions/<int:proposal_id>/meeting": ORGANISER,
    "POST /decisions/<int:proposal_id>/meeting/find": ORGANISER,
    "GET /events/<int:event_id>/checkin": EVENT,
    "POST /events/<int:event_id>/checkin": EVENT,
    "POST /events/<int:event_id>/claims/<claim_id>": EVENT,
    "GET /events/<int:event_id>/code": EVENT,
    "GET /events/<int:event_id>/count": EVENT,
    "GET /events/<int:event_id>/display": EVENT,
    "GET /events/<int:event_id>/invitation": EVENT,
    "POST /events/<int:event_id>/invitation": EVENT,
    "POST /events/<int:event_id>/late-claims": EVENT,
    "POST /events/<int:event_id>/display-links": EVENT,
    "POST /events/<int:event_id>/display-links/<int:link_id>/revoke": EVENT,
    "POST /events/<int:event_id>/organisers": EVENT,
    "POST /events/<int:event_id>/organisers/<int:user_id>/remove": EVENT,
    "GET /events/<int:event_id>/poster.pdf": EVENT,
    "GET /events/<int:event_id>/rejected.csv": EVENT,
    "POST /events/<int:event_id>/word": EVENT,
    "GET /healthz": PUBLIC,
    "GET /join/<secret>": PUBLIC,  # whoever holds the link: it is the key
    "POST /join/<secret>": PUBLIC,
    "POST /lang": PUBLIC,
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    "GET /login/card": PUBLIC,
    "POST /login/card": PUBLIC,
    "POST /login/passkey": PUBLIC,
    "POST /logout": MEMBER,
    "GET /manifest.json": PUBLIC,
    "GET /admin/members": ADMIN,
    "GET /admin/members/import": ADMIN,
    "POST /admin/members/import": ADMIN,
    "POST /admin/members/import/confirm": ADMIN,
    "GET /admin/members/invite": ADMIN,
    "POST /admin/members/invite": ADMIN,
    "POST /admin/members/invitations/cards": ADMIN,
    "POST /admin/members/invitations/email": ADMIN,
    "POST /admin/members/<int:user_id>/invitation": ADMIN,
    "GET /admin/members/<int:user_id>": ADMIN,
    "POST /admin/members/<int:user_id>/card/issue": ADMIN,
    "POST /admin/members/<int:user_id>/card/renew": ADMIN,
    "POST /admin/members/<int:user_id>/card/revoke": ADMIN,
    "POST /admin/members/<int:user_id>/login-card": ADMIN,
    "POST /admin/members/<int:user_id>/login-card/<int:card_id>/revoke": ADMIN,
    "POST /admin/members/<int:user_id>/role": ADMIN,
    "GET /offline": PUBLIC,
    "GET /partner": STAFF,
    "GET /partner/<int:partner_id>": STAFF,
    "POST /partner/<int:partner_id>/find": STAFF,
    "POST /partner/<int:partner_id>/use": STAFF,
    "GET /perks": MEMBER,
    "GET /perks/<int:perk_id>": MEMBER,
    "GET /perks/<int:perk_id>/photo.jpg": PUBLIC,
    "POST /perks/<int:perk_id>/use": MEMBER,
    "GET /perks/tickets/<int:redemption_id>": OWNER,
    "POST /perks/tickets/<int:redemption_id>/cancel": OWNER,
    "GET /perks/tickets/<int:redemption_id>/state": OWNER,
    "GET /members": MEMBER,
    "GET /members/<int:user_id>": OWNER,  # the member's profile: private, as everyone's starts
    "GET /projects": MEMBER,
    "GET /projects/new": MEMBER,
    "POST /projects/new": MEMBER,
    "GET /projects/<int:project_id>": MEMBER,
    "POST /projects/<int:project_id>/join": MEMBER,
    "POST /projects/<int:project_id>/leave": MEMBER,
    "POST /projects/<int:project_id>/close": LEAD,
    "POST /projects/<int:project_id>/badges": LEAD,
    "GET /scan": PUBLIC,
    "GET /static/<path:filename>": PUBLIC,
    "GET /start": MEMBER,
    "GET /sw.js": PUBLIC,
    "GET /thanks": MEMBER,
    "POST /thanks/feed": MEMBER,
    "GET /thanks/give/<int:user_id>": MEMBER,
    "POST /thanks/give/<int:user_id>": MEMBER,
    "GET /thanks/checkin/<int:event_id>": MEMBER,
    "POST /thanks/checkin/<int:event_id>": MEMBER,
    "GET /thanks/scan": MEMBER,
    "POST /thanks/scan": MEMBER,
    "GET /thanks/sent/<int:thanks_id>": OWNER,
    "GET /wallet": MEMBER,
    "GET /wallet/card": MEMBER,
    "GET /wallet/badges/<int:badge_id>": OWNER,
    "GET /wallet/proofs/<int:job_id>": OWNER,
    "GET /yui": MEMBER,
    "GET /yui/new": MEMBER,
    "POST /yui/new": MEMBER,
    "GET /yui/for": ORGANISER,
    "POST /yui/for": ORGANISER,
    "GET /yui/<int:post_id>": MEMBER,
    "POST /yui/<int:post_id>/answer": MEMBER,
    "POST /yui/<int:post_id>/report": MEMBER,
    "POST /yui/<int:post_id>/withdraw": POSTER,
    "GET /yui/threads": MEMBER,
    "GET /yui/threads/<int:thread_id>": OWNER,  # the member's conversation about her post
    "POST /yui/threads/<int:thread_id>": OWNER,
    "GET /admin/yui": ADMIN,
    "POST /admin/yui/<int:post_id>/hide": ADMIN,
    "POST /admin/yui/<int:post_id>/keep": ADMIN,
    "GET /yui/threads/<int:thread_id>/confirm": OWNER,  # the thread's people's only
}

ALLOWED = {
    MEMBER: {"member", "staff", "other_organiser", "organiser", "admin"},
    CLAIM: {"member", "staff", "other_organiser", "organiser", "admin"},
    API: {"member", "staff", "other_organiser", "organiser", "admin"},
    ORGANISER: {"other_organiser", "organiser", "admin"},
    EVENT: {"organiser", "admin"},
    STAFF: {"staff", "admin"},
    ADMIN: {"admin"},
    OWNER: {"member"},
    LEAD: {"member", "admin"},
    POSTER: {"member"},
}


def served(app) -> dict[str, object]:
    """Every "METHOD /rule" the app answers (HEAD and OPTIONS are Flask's own)."""
    routes = {}
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes[f"{method} {rule.rule}"] = rule
    return routes


def test_every_route_is_listed(app):
    assert sorted(served(app)) == sorted(ROUTES)


def phone(app, person):
    client = app.test_client()
    if person is not None:
        log_in(client, person.email)
    return client


def ask(client, method: str, url: str):
    """The answer, read whole and closed (a static file's stays open otherwise)."""
    if method == "GET":
        response = client.get(url)
    elif url.startswith("/api/"):
        token = csrf_token(client, "/login")
        response = client.post(url, json={"claims": []}, headers={"X-CSRFToken": token})
    else:
        response = client.post(url, data={"csrf_token": csrf_token(client, "/login")})
    response.get_data()
    response.close()
    return response


def sent_to_login(response) -> bool:
    """Refused for want of a login: sent to the login page, to come back afterwards."""
    location = response.headers.get("Location", "")
    return response.status_code == 302 and location.startswith("/login?next=")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_its_rule_says(app, world, role):
    values, people = world
    client = phone(app, people.get(role))
    routes = served(app)
    wrong = []
    # Logging out last: it ends this phone's session.
    for route in sorted(ROUTES, key=lambda route: route == "POST /logout"):
        method, _ = route.split(" ", 1)
        rule = routes[route]
        url = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]
        response = ask(client, method, url)
        status, kind = response.status_code, ROUTES[route]
        if status >= 500:
            wrong.append(f"{route}: {status}")
        elif kind == PUBLIC:
            continue  # the same for everyone: see the next test
        elif role == "anonymous":
            if kind == CLAIM:
                expected_login = status == 200 and f'"/login?next={url}"' in response.text
            else:
                expected_login = status == 401 if kind == API else sent_to_login(response)
            if not expected_login:
                wrong.append(f"{route}: {status}, not sent to log in")
        elif role in ALLOWED[kind]:
            if status in (401, 403) or sent_to_login(response):
                wrong.append(f"{route}: {status}, refused")
        elif kind == OWNER:
            if status != 404:
                wrong.append(f"{route}: {status}, not 404 for someone else's")
        elif status != 403:
            wrong.append(f"{route}: {status}, not 403")
    assert wrong == []


def test_public_routes_answer_everyone_alike(app, world):
    values, people = world
    routes = served(app)
    answers: dict[str, set[int]] = {}
    for role in ROLES:
        client = phone(app, people.get(role))
        for route, kind in ROUTES.items():
            if kind != PUBLIC or route.split(" ")[1] == "/login":
                continue  # the login page leads each person on to their own
            method = route.split(" ")[0]
            rule = routes[route]
            url = rule.build({n: values[n] for n in rule.arguments}, append_unknown=False)[1]
            answers.setdefault(route, set()).add(ask(client, method, url).status_code)
    assert {route: codes_ for route, codes_ in answers.items() if len(codes_) > 1} == {}
