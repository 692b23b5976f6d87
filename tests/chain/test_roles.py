"""After a deploy each role the app acts with is held by the one who acts with it, and nobody
holds any other: the operator cannot mint tokens at will, awards mint them through the badge."""

from __future__ import annotations

from chain.client import ROLE_GRANTS

from .test_contracts import contract

CONTRACTS = ("CommunityToken", "ParticipationBadge", "MembershipCard", "DecisionRecord")
ADMIN = "DEFAULT_ADMIN_ROLE"

# What the app does with each role, read from the chain client: who must hold it.
APP_USES = {
    # ParticipationBadge.award (award_transaction) pays the reward with token.reward.
    ("CommunityToken", "MINTER_ROLE"): "badge",
    ("CommunityToken", "REDEEMER_ROLE"): "operator",  # redeem_transaction
    ("ParticipationBadge", "MINTER_ROLE"): "operator",  # award_transaction
    ("MembershipCard", "ISSUER_ROLE"): "operator",  # card_transaction
    ("DecisionRecord", "RECORDER_ROLE"): "operator",  # decision_transaction
}


def role_holders(client, name: str) -> dict[str, set[str]]:
    """Who holds which role on the contract now, from every RoleGranted and RoleRevoked it
    logged (AccessControl keeps no list of members)."""
    deployed = contract(client, name)
    roles = {
        getattr(deployed.functions, item["name"])().call(): item["name"]
        for item in deployed.abi
        if item["type"] == "function" and item["name"].endswith("_ROLE") and not item["inputs"]
    }
    changes = [(log, True) for log in deployed.events.RoleGranted().get_logs(from_block=0)]
    changes += [(log, False) for log in deployed.events.RoleRevoked().get_logs(from_block=0)]
    changes.sort(key=lambda change: (change[0]["blockNumber"], change[0]["logIndex"]))
    holders: dict[str, set[str]] = {}
    for log, granted in changes:
        members = holders.setdefault(roles[log["args"]["role"]], set())
        (members.add if granted else members.discard)(log["args"]["account"])
    return {role: members for role, members in holders.items() if members}


def test_the_deploy_grants_the_roles_the_app_uses_and_no_other():
    assert {(grant.contract, grant.role): grant.holder for grant in ROLE_GRANTS} == APP_USES


def test_after_a_deploy_each_role_is_held_exactly_by_who_uses_it(client):
    who = {"operator": client.operator.address, "badge": client.addresses.badge}
    expected = {name: {ADMIN: {who["operator"]}} for name in CONTRACTS}  # the constructors'
    for (name, role), holder in APP_USES.items():
        expected[name].setdefault(role, set()).add(who[holder])
    assert {name: role_holders(client, name) for name in CONTRACTS} == expected


def test_the_operator_cannot_mint_tokens_and_the_badge_can(client):
    token = contract(client, "CommunityToken")
    minter = token.functions.MINTER_ROLE().call()
    assert token.functions.hasRole(minter, client.addresses.badge).call() is True
    assert token.functions.hasRole(minter, client.operator.address).call() is False
    badge = contract(client, "ParticipationBadge")
    badge_minter = badge.functions.MINTER_ROLE().call()
    assert badge.functions.hasRole(badge_minter, client.operator.address).call() is True
