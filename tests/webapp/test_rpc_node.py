"""With ENISHI_RPC_URL the app talks JSON-RPC to a node instead of the embedded chain."""

from datetime import timedelta

import pytest

from chain.wallets import Keyring
from webapp import create_app
from webapp.accounts.services import get_user_by_email
from webapp.checkin.services import record_claim
from webapp.core.db import utcnow
from webapp.events.services import create_event
from webapp.extensions import db
from webapp.ledger.services import get_balance
from webapp.onchain.connection import get_chain_client
from webapp.onchain.worker import run_once

from ..conftest import POSTGRES_URL, TEST_MNEMONIC
from ..support import free_port, start_node
from .checkin.scans import claim, code_for


@pytest.fixture
def node(tmp_path):
    port = free_port()
    process = start_node(tmp_path / "node.sqlite", Keyring(TEST_MNEMONIC).operator.address, port)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def test_setup_deploys_to_the_node_and_a_check_in_is_minted_there(
    instance, tmp_path, node, monkeypatch
):
    monkeypatch.setenv("ENISHI_RPC_URL", node)
    monkeypatch.setenv("ENISHI_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("ENISHI_MASTER_MNEMONIC", TEST_MNEMONIC)
    monkeypatch.setenv("ENISHI_DEMO", "1")
    if POSTGRES_URL:
        monkeypatch.setenv("ENISHI_DATABASE_URL", POSTGRES_URL)
    app = create_app({"TESTING": True})
    assert app.config["CHAIN_EMBEDDED"] is False

    result = app.test_cli_runner().invoke(args=["enishi", "setup"])
    assert result.exit_code == 0, result.output
    health = app.test_client().get("/healthz").get_json()
    assert health["status"] == "ok"

    with app.app_context():
        session = db.session
        organiser = get_user_by_email(session, "organiser@example.org")
        member = get_user_by_email(session, "member@example.org")
        client = get_chain_client(session)
        for _ in range(5):  # the demo's own records first: its past events, its used perk
            run_once(session, client, batch_size=100)
        before = client.token_balance(member.address)
        assert before == get_balance(session, member).total
        event = create_event(session, organiser, title="ノードの会", venue="v", reward=3,
                             starts_at=utcnow() - timedelta(hours=1),
                             ends_at=utcnow() + timedelta(hours=1))  # fmt: skip
        session.commit()
        assert record_claim(
            session, member, claim(code_for(event)), now=utcnow(), source="api"
        ).accepted
        session.commit()
        run_once(session, client, batch_size=100)
        assert client.token_balance(member.address) == before + 3
        assert client.badge_balance(member.address, event.id) == 1
        session.remove()
        db.engine.dispose()
