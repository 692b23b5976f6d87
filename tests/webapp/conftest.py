"""Fixtures shared by the tests that sweep every route: the authorisation table and the fuzzers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from webapp.accounts.models import Role
from webapp.checkin import codes
from webapp.checkin.display_links import create_display_link
from webapp.checkin.services import record_claim
from webapp.core.db import utcnow
from webapp.decisions.services import open_proposal
from webapp.ledger.models import LedgerEntry
from webapp.membership.cards import card_code, card_key
from webapp.membership.services import get_membership
from webapp.perks.redemptions import start_redemption
from webapp.perks.services import add_staff, create_partner, create_perk
from webapp.projects.services import activate_project, propose_project
from webapp.thanks.services import give_thanks
from webapp.yui.services import PostDraft, create_post, open_thread

from .checkin.scans import claim, code_for


@pytest.fixture
def world(app, session, make_user, organiser, make_event):
    """An event with its organiser, an organiser of another event, a shop with its staff, a
    perk, a member holding a ticket for it, leading an active project and who thanked the
    administrator. Returns a value for every argument of every route (`values`) and the person
    of each role (`people`)."""
    member = make_user(Role.MEMBER)
    staff = make_user(Role.MEMBER, member=False)
    other = make_user(Role.ORGANISER, member=False)
    admin = make_user(Role.ADMIN)
    event = make_event()
    elsewhere = make_event(organiser=other, title="ほかのイベント")
    shop = create_partner(session, name_ja="塩尻ワイナリー")
    add_staff(session, shop, staff.email)
    perk = create_perk(session, shop, title_ja="グラスワイン1杯", price=10)
    session.add(LedgerEntry(user_id=member.id, amount=50, kind="reward", created_at=utcnow()))
    session.flush()
    ticket = start_redemption(session, member, perk, utcnow(), timedelta(minutes=15))
    record_claim(session, member, claim(code_for(elsewhere)), now=utcnow(), source="api")
    display, display_token = create_display_link(session, event, organiser, "受付", utcnow())
    proposal = open_proposal(
        session, member, title="公民館に本棚を置く", body="", options=None, discussion_days=0,
        voting_days=7, min_turnout_percent=10, now=utcnow(),
    )  # fmt: skip
    project = propose_project(
        session, member, title="灯りのまつり", purpose="", help_wanted="", lead=member,
        now=utcnow(),
    )  # fmt: skip
    activate_project(session, project, now=utcnow(), approved_by=admin)
    thanks = give_thanks(session, member, admin, 5, "", via="profile", now=utcnow())
    request = PostDraft(kind="request", category="snow", area="daimon", title="玄関前の雪かき")
    post = create_post(session, request, author=member, for_user=member, now=utcnow())
    # A 結い request of a neighbour's, which the member answered: their conversation.
    neighbour = make_user(Role.MEMBER)
    draft = PostDraft(kind="request", category="snow", area="daimon", title="雪かき")
    theirs = create_post(session, draft, author=neighbour, for_user=neighbour, now=utcnow())
    thread = open_thread(session, theirs, member, utcnow())
    session.commit()
    values = {
        "device_id": "not-a-device",
        "chart": "participation",
        "perk_id": perk.id,
        "partner_id": shop.id,
        "user_id": member.id,
        "event_id": event.id,
        "redemption_id": ticket.id,
        "badge_id": elsewhere.id,  # the member's badge
        "job_id": get_membership(session, member).chain_job_id,  # the member's card's record
        "card_id": 1,
        "connection_id": 1,  # a Discord connection (none: the administrator gets a 404)
        "passkey_id": 1,
        "claim_id": "00000000-0000-4000-8000-000000000000",
        "link": display_token,
        "link_id": display.id,
        "token": codes.make_printed_token(event.id, event.secret),
        "token_id": str(event.id),
        "filename": "css/enishi.css",
        "secret": "not-an-invitation",
        "proposal_id": proposal.id,
        "project_id": project.id,
        "thanks_id": thanks.id,
        "post_id": post.id,  # the member's 結い post
        "thread_id": thread.id,  # the member's answer to a neighbour's post
        # The neighbour's member card, as the member's phone scans it to confirm the help.
        "neighbour_card": card_code(neighbour.id, card_key(app.secret_key)),
    }
    people = {"member": member, "staff": staff, "other_organiser": other}
    people |= {"organiser": organiser, "admin": admin}
    return values, people
