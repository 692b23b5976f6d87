"""A project's contributor badge: minted by the worker on the badge contract at its own token
id, answered for by the metadata, shown in the wallet, and reconciled like any badge. On the
embedded chain (the default `chain_kind`)."""

from eth_account import Account
from jsonschema import validate
from sqlalchemy import select

from webapp.core.db import utcnow
from webapp.onchain.jobs import PROJECT_BADGE_BASE, project_badge_token_id
from webapp.onchain.models import ChainJob, JobKind, JobStatus
from webapp.projects.services import give_badges, join_project
from webapp.reports.reconcile import reconcile

from ...conftest import log_in
from ..test_metadata import ERC1155_METADATA, FORMATS, get_png
from ..test_worker import attend, jobs, work


def test_the_token_ids_of_projects_cannot_meet_an_event_s():
    assert PROJECT_BADGE_BASE > 2**31 - 1  # an event's id is at most the largest INTEGER
    assert project_badge_token_id(1) == 2**32 + 1


def test_the_worker_mints_the_project_badge_in_one_transaction(
    session, chain, member, make_user, make_event, make_project
):
    project, helper = make_project(), make_user()
    join_project(session, project, helper, now=utcnow())
    give_badges(session, project, member, [member, helper], now=utcnow())
    session.commit()
    attend(session, helper, make_event(reward=5))  # an event's badge on its way beside it
    work(session, chain)

    badges = jobs(session, kind=JobKind.PROJECT_BADGE)
    assert {job.status for job in badges} == {JobStatus.CONFIRMED}
    assert len({job.tx_hash for job in badges}) == 1  # one transaction for the project
    token_id = project_badge_token_id(project.id)
    assert chain.badge_balance(member.address, token_id) == 1
    assert chain.badge_balance(helper.address, token_id) == 1
    assert chain.token_balance(member.address) == 0  # a badge, no coins
    assert chain.token_balance(helper.address) == 5  # the event's reward only
    assert reconcile(session, chain) == []


def test_a_project_badge_behind_the_ledger_s_back_is_reported_as_one(
    session, chain, member, make_user, make_project
):
    project, stranger = make_project(), make_user()
    give_badges(session, project, member, [member], now=utcnow())
    session.commit()
    work(session, chain)
    token_id = project_badge_token_id(project.id)
    nobody = Account.create().address
    signed = chain.sign(
        chain.award_transaction(token_id, [stranger.address, nobody], 0), chain.next_nonce()
    )
    chain.send(signed)
    chain.w3.eth.wait_for_transaction_receipt(signed.hash, timeout=30)
    differences = {
        (d.what, d.email, d.ledger, d.chain, d.event_id, d.project_id)
        for d in reconcile(session, chain)
    }
    assert differences == {
        ("project badge", stranger.email, 0, 1, None, project.id),
        ("project badge", None, 0, 1, None, project.id),
    }


def test_the_metadata_answers_for_a_project_s_token_id(client, session, member, make_project):
    project = make_project(title="奈良井宿 灯りのまつり")
    give_badges(session, project, member, [member], now=utcnow())
    session.commit()
    token_id = project_badge_token_id(project.id)
    for token in (str(token_id), f"{token_id:064x}"):
        response = client.get(f"/badges/{token}.json")
        assert response.status_code == 200
        metadata = response.get_json()
        validate(metadata, ERC1155_METADATA, format_checker=FORMATS)
        assert metadata["name"] == "奈良井宿 灯りのまつり 貢献"
        assert "奈良井宿 灯りのまつり" in metadata["description"]
        assert metadata["image"] == f"http://localhost/badges/{token}.png"
        assert get_png(client, metadata["image"]).size == (600, 600)


def test_no_metadata_for_a_project_without_a_badge(client, session, make_project):
    waiting, no_one_has_it = make_project(active=False), make_project(title="まだ誰も")
    beyond = project_badge_token_id(2**31)  # beyond any project id (the 結い's begin at 2**40)
    ids = (waiting.id, no_one_has_it.id, 9999)
    for token_id in (*(project_badge_token_id(each) for each in ids), beyond):
        response = client.get(f"/badges/{token_id}.json")
        assert response.status_code == 404
        assert response.get_json()["error"] == "unknown_project"
    assert client.get(f"/badges/{project_badge_token_id(9999)}.png").status_code == 404
    # Its artwork is shown on the project's page before anyone holds it.
    artwork = client.get(f"/badges/{project_badge_token_id(no_one_has_it.id)}.png")
    assert artwork.status_code == 200


def test_the_wallet_shows_the_project_badge_and_its_proof(
    client, session, chain, member, make_project
):
    project = make_project(title="奈良井宿 灯りのまつり")
    give_badges(session, project, member, [member], now=utcnow())
    session.commit()
    log_in(client, member.email)
    page = client.get("/wallet").get_data(as_text=True)
    assert "奈良井宿 灯りのまつり" in page and "反映中" in page  # on its way
    work(session, chain)
    page = client.get("/wallet").get_data(as_text=True)
    assert 'data-testid="project-badge"' in page and "反映中" not in page
    job = session.scalar(select(ChainJob).where(ChainJob.kind == JobKind.PROJECT_BADGE))
    proof = client.get(f"/wallet/proofs/{job.id}").get_data(as_text=True)
    assert "奈良井宿 灯りのまつり" in proof and job.tx_hash in proof
    show = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "記録済み" in show
