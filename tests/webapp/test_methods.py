"""Every route answers every method it does not serve, or OPTIONS, without a server error:
whoever asks (anonymous, a member, an organiser, an administrator). A route that answers JSON
is described in the OpenAPI document."""

import pytest
from werkzeug.routing.converters import NumberConverter

from webapp.accounts.models import Role

from ..conftest import log_in
from .test_fuzz_api import documented_routes

METHODS = ("OPTIONS", "GET", "POST", "PUT", "DELETE", "PATCH")


def concrete(rule) -> str:
    """A URL of the rule, with 1 for every number and a word for every other part."""
    values = {
        name: 1 if isinstance(converter, NumberConverter) else "x"
        for name, converter in rule._converters.items()
    }
    return rule.build(values, append_unknown=False)[1]


@pytest.mark.parametrize("role", [None, Role.MEMBER, Role.ORGANISER, Role.ADMIN])
def test_no_route_answers_any_method_with_a_server_error(app, make_user, role):
    client = app.test_client()
    if role is not None:
        log_in(client, make_user(role).email)
    errors, undocumented = [], []
    documented = documented_routes(app)
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = concrete(rule)
        for method in METHODS:
            response = client.open(url, method=method)
            if response.status_code >= 500:
                errors.append(f"{method} {url}: {response.status_code}")
            route = f"{method} {rule.rule}"
            served = method in rule.methods - {"OPTIONS"}  # OPTIONS is Flask's own answer
            if served and response.mimetype == "application/json" and route not in documented:
                undocumented.append(route)
    assert errors == []
    assert undocumented == [], "answers JSON, but the OpenAPI document leaves it out"
