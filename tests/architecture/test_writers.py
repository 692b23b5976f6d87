"""One writer per table (docs/architecture.md): each table's rows are made in one module only,
and every table names that module here, so a new table must say who writes it."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from webapp.extensions import db

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"

WRITERS = {
    "ChainJob": "onchain/jobs.py",
    "ChainTransaction": "onchain/jobs.py",
    "SenderNonce": "onchain/jobs.py",
    "Deployment": "onchain/deployments.py",
    "LedgerEntry": "ledger/services.py",
    "User": "accounts/services.py",
    "DeviceSession": "accounts/devices.py",
    "LoginCard": "accounts/devices.py",
    "AuditEntry": "accounts/audit.py",
    "Passkey": "accounts/passkeys.py",
    "Invitation": "accounts/invitations.py",
    "Event": "events/services.py",
    "EventOrganiser": "events/services.py",
    "EventRequiredBadge": "events/services.py",
    "Membership": "membership/services.py",
    "Claim": "checkin/services.py",
    "Attendance": "checkin/services.py",
    "Rsvp": "checkin/rsvps.py",
    "DisplayLink": "checkin/display_links.py",
    "Partner": "perks/services.py",
    "PartnerStaff": "perks/services.py",
    "Perk": "perks/services.py",
    "Redemption": "perks/redemptions.py",
    "CodeAttempt": "perks/redemptions.py",
    "Project": "projects/services.py",
    "ProjectMember": "projects/services.py",
    "DiscordSettings": "discord/settings.py",
    "DiscordConnection": "discord/services.py",
    "Proposal": "decisions/services.py",
    "ProposalOption": "decisions/services.py",
    "ProposalVoter": "decisions/services.py",
    "Ballot": "decisions/services.py",
    "ProjectBadge": "projects/services.py",
    "Residence": "profiles/residence.py",
    "Profile": "profiles/services.py",
    "ProfileTag": "profiles/services.py",
    "ActivityMonth": "community/summary.py",
    "AreaMonth": "community/summary.py",
    "ShopMonth": "community/summary.py",
    "SummaryState": "community/summary.py",
    "CommunitySettings": "community/settings.py",
    "ThanksSettings": "thanks/settings.py",
    "Thanks": "thanks/services.py",
    "ThanksOptOut": "thanks/services.py",
    "ThanksPool": "thanks/pool.py",
    "ThanksPoolShare": "thanks/pool.py",
    "YuiPost": "yui/services.py",
    "YuiThread": "yui/services.py",
    "YuiMessage": "yui/services.py",
    "YuiReport": "yui/services.py",
    "YuiConfirmation": "yui/confirmations.py",
}


def models() -> set[str]:
    for path in WEBAPP.glob("*/models.py"):
        importlib.import_module(f"webapp.{path.parent.name}.models")
    return {mapper.class_.__name__ for mapper in db.Model.registry.mappers}


def constructors(root: Path = WEBAPP) -> dict[str, set[str]]:
    """Which modules make each model's rows: by calling the class (`ChainJob(...)`) or by a
    bulk insert (`insert(ChainJob)`, `insert(ChainJob.__table__)`, or a name bound to it)."""
    made: dict[str, set[str]] = {}
    names = models()
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        tables = _names_of_tables(tree, names)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            model = node.func.id if node.func.id in names else None
            if node.func.id == "insert" and node.args:
                model = _model_of(node.args[0], names, tables)
            if model is not None:
                made.setdefault(model, set()).add(str(path.relative_to(root)))
    return made


def _model_of(node: ast.expr, names: set[str], tables: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return node.id if node.id in names else tables.get(node.id)
    if isinstance(node, ast.Attribute) and node.attr == "__table__":
        return _model_of(node.value, names, {})
    return None


def _names_of_tables(tree: ast.Module, names: set[str]) -> dict[str, str]:
    """Names bound to a model's table (`_jobs = ChainJob.__table__`, also in a tuple)."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            pairs = [(target, node.value)]
            if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                pairs = list(zip(target.elts, node.value.elts, strict=False))
            for name, value in pairs:
                model = _model_of(value, names, {}) if isinstance(value, ast.Attribute) else None
                if isinstance(name, ast.Name) and model is not None:
                    bound[name.id] = model
    return bound


def test_every_table_names_its_writer():
    assert models() == set(WRITERS)


def test_each_tables_rows_are_made_by_its_writer_only():
    made = constructors()
    wrong = {
        model: sorted(places - {WRITERS[model]})
        for model, places in made.items()
        if places != {WRITERS[model]}
    }
    assert wrong == {}


def test_the_check_finds_a_second_writer(tmp_path):
    # The check reads source: a ledger entry made in the perks domain is caught.
    for package in ("ledger", "perks"):
        (tmp_path / package).mkdir()
    (tmp_path / "ledger/services.py").write_text("entry = LedgerEntry(amount=1)\n")
    (tmp_path / "perks/redemptions.py").write_text("entry = LedgerEntry(amount=-1)\n")
    made = constructors(tmp_path)
    assert made["LedgerEntry"] == {"ledger/services.py", "perks/redemptions.py"}


def test_the_check_finds_a_bulk_insert_outside_the_writer(tmp_path):
    (tmp_path / "perks").mkdir()
    (tmp_path / "perks/bulk.py").write_text(
        "rows = insert(LedgerEntry)\n"
        "_jobs, _users = ChainJob.__table__, User.__table__\n"
        "more = insert(_jobs)\n"
        "read = select(_users)\n"
    )
    made = constructors(tmp_path)
    assert made == {"LedgerEntry": {"perks/bulk.py"}, "ChainJob": {"perks/bulk.py"}}
