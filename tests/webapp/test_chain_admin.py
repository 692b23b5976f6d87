"""The administrator's chain page, and where the minter's key may come from."""

import json
import logging
import re

import pytest
from eth_account import Account

from chain.wallets import PublicKeyring
from webapp import create_app
from webapp.accounts.models import Role
from webapp.onchain.connection import load_keyring

from ..conftest import TEST_MNEMONIC, csrf_token, fresh_anvil, log_in
from .test_worker import attend, jobs, work
from .test_worker_reverts import set_minter


@pytest.fixture
def admin_client(client, make_user):
    log_in(client, make_user(Role.ADMIN).email)
    return client


def test_the_queue_page_shows_counts_errors_and_the_minters_balance(
    admin_client, session, chain, member, make_event, monkeypatch
):
    attend(session, member, make_event())

    def unreachable(raw):
        raise ConnectionError("node down")

    monkeypatch.setattr(chain, "send_raw", unreachable)
    work(session, chain)
    page = admin_client.get("/admin/chain").get_data(as_text=True)
    assert "ConnectionError: node down" in page
    assert chain.operator.address in page
    assert 'data-testid="minter-balance"' in page and 'role="alert"' not in page


def test_a_low_minter_balance_is_warned_about(admin_client, app):
    app.config["MINTER_LOW_BALANCE_ETH"] = "10000000"  # more than the test chain gave it
    page = admin_client.get("/admin/chain").get_data(as_text=True)
    assert 'role="alert"' in page


def test_send_now_makes_waiting_jobs_due(
    admin_client, session, chain, member, make_event, monkeypatch
):
    attend(session, member, make_event())
    monkeypatch.setattr(
        chain, "award_transaction", lambda *a: (_ for _ in ()).throw(ValueError("x"))
    )
    work(session, chain)
    assert (
        jobs(session, kind="award")[0].next_attempt_at > jobs(session, kind="award")[0].created_at
    )
    admin_client.post(
        "/admin/chain/retry", data={"csrf_token": csrf_token(admin_client, "/admin/chain")}
    )
    monkeypatch.undo()
    work(session, chain)
    assert jobs(session, kind="award")[0].status == "confirmed"


def test_a_failed_job_shows_its_reason_and_the_administrator_sends_it_again(
    admin_client, session, chain, member, make_event
):
    waiting = admin_client.get("/admin/chain").get_data(as_text=True)
    cards = waiting.split('data-status="pending"')[1:]
    assert len(cards) == 2 and all("会員証" in row.split("</tr>")[0] for row in cards)
    work(session, chain)  # the two members' cards
    attend(session, member, make_event(reward=3))
    set_minter(chain, allowed=False)
    work(session, chain)
    page = admin_client.get("/admin/chain").get_data(as_text=True)
    assert "記録済み: 2 · 失敗: 1" in page  # the two members' cards went through
    failed = page.split('data-status="failed"')[1].split("</tr>")[0]
    assert "バッジ" in failed and "AccessControlUnauthorizedAccount" in failed

    set_minter(chain, allowed=True)  # the cause mended, the administrator sends it again
    answer = admin_client.post(
        "/admin/chain/retry", data={"csrf_token": csrf_token(admin_client, "/admin/chain")}
    )
    assert answer.status_code == 302
    work(session, chain)
    page = admin_client.get("/admin/chain").get_data(as_text=True)
    assert "記録済み: 3 · 失敗: 0" in page and 'data-status="failed"' not in page
    assert chain.token_balance(member.address) == 3


@pytest.mark.parametrize("role", [Role.MEMBER, Role.ORGANISER])
def test_only_admins_see_the_queue(client, make_user, role):
    log_in(client, make_user(role).email)
    assert client.get("/admin/chain").status_code == 403
    assert (
        client.post(
            "/admin/chain/retry", data={"csrf_token": csrf_token(client, "/wallet")}
        ).status_code
        == 403
    )


def test_the_minter_key_can_come_from_an_encrypted_keystore(tmp_path, monkeypatch):
    account = Account.create()
    (tmp_path / "minter.json").write_text(json.dumps(Account.encrypt(account.key, "s3cret pass")))
    (tmp_path / "password.txt").write_text("s3cret pass\n")
    monkeypatch.setenv("ENISHI_MINTER_KEYSTORE", str(tmp_path / "minter.json"))
    monkeypatch.setenv("ENISHI_MINTER_KEYSTORE_PASSWORD_FILE", str(tmp_path / "password.txt"))
    monkeypatch.setenv("ENISHI_MASTER_MNEMONIC", TEST_MNEMONIC)
    app = create_app({"INSTANCE_DIR": tmp_path / "instance"})
    assert load_keyring(app).operator.address == account.address


def test_a_node_of_another_chain_is_refused(app, session, client):
    from chain.client import ChainError
    from webapp.onchain.connection import get_chain_client

    app.config["CHAIN_ID"] = 10  # say, the town's L2; the test node is another chain
    with pytest.raises(ChainError, match="not ENISHI_CHAIN_ID 10"):
        get_chain_client(session)
    assert client.get("/healthz").get_json()["chain"]["ok"] is False


def test_a_minter_key_from_the_environment_deploys_and_mints_and_is_never_printed(
    tmp_path, monkeypatch, caplog, anvil_url
):
    """Production settings: a node at ENISHI_RPC_URL of ENISHI_CHAIN_ID, the key in
    ENISHI_MINTER_KEY."""
    account = Account.create()
    fresh_anvil(anvil_url).provider.make_request("anvil_setBalance", [account.address, hex(10**20)])
    monkeypatch.setenv("ENISHI_RPC_URL", anvil_url)
    monkeypatch.setenv("ENISHI_CHAIN_ID", "31337")
    monkeypatch.setenv("ENISHI_MINTER_KEY", account.key.hex())
    monkeypatch.setenv("ENISHI_MASTER_MNEMONIC", TEST_MNEMONIC)
    monkeypatch.delenv("ENISHI_DATABASE_URL", raising=False)
    monkeypatch.setenv("ENISHI_INSTANCE", str(tmp_path / "instance"))
    caplog.set_level(logging.DEBUG)
    app = create_app({"DEMO": True})
    runner = app.test_cli_runner()

    setup = runner.invoke(args=["enishi", "setup"])
    assert setup.exit_code == 0, setup.output
    deployed = re.search(
        r"Deployed on chain \d+ at block (\d+):\n  token (0x[0-9a-fA-F]{40})", setup.output
    )
    assert deployed and int(deployed.group(1)) > 0, setup.output
    again = runner.invoke(args=["enishi", "deploy"])
    assert again.output.startswith("Already deployed") and deployed.group(2) in again.output
    minted = runner.invoke(args=["enishi", "worker", "--once"])
    assert minted.exit_code == 0 and "confirmed_jobs=" in minted.output, minted.output
    assert not re.search(r"confirmed_jobs=0\b", minted.output), (
        minted.output
    )  # demo data went on chain

    written = (tmp_path / "instance" / "public-keyring.json").read_text()  # for web processes
    assert PublicKeyring.from_json(written).operator_address == account.address
    printed = setup.output + again.output + minted.output + caplog.text
    secret = account.key.hex().removeprefix("0x")
    assert secret not in printed and secret.upper() not in printed


def test_a_decisions_job_shows_in_plain_words_with_its_proposal(
    admin_client, session, chain, monkeypatch
):
    """A decision's job has no member: the page names the proposal instead."""
    from webapp.onchain.jobs import queue_decision

    queue_decision(session, proposal_id=31, tally=(4, 2), digest=bytes(range(32)))
    session.commit()
    monkeypatch.setattr(
        chain, "decision_transaction", lambda *a: (_ for _ in ()).throw(ConnectionError("down"))
    )
    work(session, chain)
    response = admin_client.get("/admin/chain")
    assert response.status_code == 200
    rows = re.findall(r'<tr data-testid="job".*?</tr>', response.get_data(as_text=True), re.S)
    row = next(row for row in rows if "議案 31" in row)
    assert "投票の結果 (議案 31)" in row and "ConnectionError: down" in row
