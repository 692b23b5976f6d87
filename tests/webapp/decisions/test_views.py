"""The members' pages of proposals and votes, and the meeting desk, as a phone sees them."""

from __future__ import annotations

import csv
import io

from webapp.accounts.models import Role
from webapp.core.db import utcnow
from webapp.decisions import results
from webapp.decisions.services import advance, get_ballot, voter_reference
from webapp.membership.cards import card_code, card_key

from ...conftest import csrf_token, log_in
from .conftest import DAY


def post(client, url: str, data: dict, page: str = "/decisions"):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, page)})


def test_a_member_opens_a_proposal_and_sees_the_rule(client, member, session):
    log_in(client, member.email)
    form = client.get("/decisions/new").get_data(as_text=True)
    assert "会員の10%を超える人が投票し、過半数の賛成で決まります" in form
    fields = {"title": "公民館に本棚を置く", "body": "本を持ち寄る", "kind": "yes_no"}
    fields |= {"discussion_days": "0", "voting_days": "7"}
    response = post(client, "/decisions/new", fields)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "公民館に本棚を置く" in page and "投票受付中" in page
    assert "賛成" in page and "反対" in page and "投票する" in page


def test_a_proposal_form_with_a_mistake_says_so(client, member):
    log_in(client, member.email)
    response = post(client, "/decisions/new", {"title": "", "kind": "yes_no",
                    "discussion_days": "0", "voting_days": "7"})  # fmt: skip
    assert response.status_code == 422
    assert "タイトル" in response.get_data(as_text=True)


def test_a_member_votes_and_changes_the_vote(client, member, propose, session):
    proposal = propose(discussion_days=0)
    log_in(client, member.email)
    url = f"/decisions/{proposal.id}"
    post(client, f"{url}/vote", {"option_id": proposal.options[0].id}, url)
    page = client.get(url).get_data(as_text=True)
    assert "あなたの票: 賛成" in page and "投票を変える" in page
    post(client, f"{url}/vote", {"option_id": proposal.options[1].id}, url)
    page = client.get(url).get_data(as_text=True)
    assert "あなたの票: 反対" in page
    assert "1 / 1" in page or "1人" in page


def test_a_member_without_a_card_at_the_start_is_told_why(client, propose, make_user, session):
    proposal = propose(discussion_days=0)
    newcomer = make_user()  # given a card after voting started
    log_in(client, newcomer.email)
    page = client.get(f"/decisions/{proposal.id}").get_data(as_text=True)
    assert "会員証をお持ちの方だけが投票できます" in page
    response = post(client, f"/decisions/{proposal.id}/vote",
                    {"option_id": proposal.options[0].id})  # fmt: skip
    assert response.status_code == 302
    assert "投票する" not in client.get(f"/decisions/{proposal.id}").get_data(as_text=True)


def test_the_result_page_after_the_close(client, member, propose, session, monkeypatch, opened_at):
    proposal = propose()
    advance(session, proposal, opened_at + DAY)
    session.commit()
    import webapp.decisions.services as services

    services.cast_vote(session, member, proposal, proposal.options[0].id, now=opened_at + DAY)
    session.commit()
    import webapp.decisions.views as views

    monkeypatch.setattr(views, "utcnow", lambda: opened_at + 3 * DAY)
    log_in(client, member.email)
    page = client.get(f"/decisions/{proposal.id}").get_data(as_text=True)
    assert "可決" in page
    assert "1人中1人が投票しました（100%）" in page
    assert "一致しています" in page
    assert voter_reference(proposal, member.id) in page
    assert "集会で記録した票が少ないときは" in page  # what the `via` column may tell

    listing = client.get("/decisions").get_data(as_text=True)
    assert "可決" in listing

    exported = client.get(f"/decisions/{proposal.id}/ballots.csv")
    assert exported.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert results.digest(exported.data) == proposal.ballots_digest
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert rows[1][:3] == [voter_reference(proposal, member.id), "1", "賛成"]


def test_the_ballots_are_not_shown_before_the_close(client, member, propose):
    proposal = propose(discussion_days=0)
    log_in(client, member.email)
    assert client.get(f"/decisions/{proposal.id}/ballots.csv").status_code == 409


def test_an_organiser_records_a_meeting_vote_once(app, client, member, propose, make_user, session):
    proposal = propose(discussion_days=0)
    organiser = make_user(Role.ORGANISER)
    log_in(client, organiser.email)
    desk = f"/decisions/{proposal.id}/meeting"
    card = card_code(member.id, card_key(app.secret_key))
    found = post(client, f"{desk}/find", {"card": card}, desk)
    assert found.headers["Location"] == f"{desk}?voter={member.id}"
    page = client.get(found.headers["Location"]).get_data(as_text=True)
    assert member.display_name in page and "賛成" in page
    recorded = post(client, desk, {"voter": member.id, "option_id": proposal.options[0].id}, desk)
    assert recorded.headers["Location"] == desk
    assert "票を記録しました" in client.get(desk).get_data(as_text=True)

    # The same card again: the member's vote is recorded already, and said so.
    again = post(client, f"{desk}/find", {"card": card}, desk)
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "この方の票は記録済みです（賛成）" in page
    post(client, desk, {"voter": member.id, "option_id": proposal.options[1].id}, desk)
    page = client.get(desk).get_data(as_text=True)
    assert "記録済みです（賛成）" in page  # no change without the member's request

    # A stranger's card: they may not vote.
    stranger = make_user(member=False)
    refused = post(
        client, f"{desk}/find", {"card": card_code(stranger.id, card_key(app.secret_key))}, desk
    )
    page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "投票できません" in page


def test_the_list_shows_open_proposals_first(client, member, propose):
    propose(title="話し合い中の提案")
    propose(title="投票中の提案", discussion_days=0)
    log_in(client, member.email)
    page = client.get("/decisions").get_data(as_text=True)
    assert page.index("投票中の提案") < page.index("話し合い中の提案")
    assert "提案と投票" in client.get("/account").get_data(as_text=True)


def test_someone_closed_late_sees_the_result_on_first_look(client, member, propose, monkeypatch):
    """No worker ran: the first look after the end closes the proposal."""
    proposal = propose(discussion_days=0)
    import webapp.decisions.views as views

    monkeypatch.setattr(views, "utcnow", lambda: utcnow() + 10 * DAY)
    log_in(client, member.email)
    page = client.get(f"/decisions/{proposal.id}").get_data(as_text=True)
    assert "投票率が足りず不成立" in page


def test_a_project_s_lead_puts_it_to_the_vote_and_its_passing_starts_it(
    app, client, member, session, monkeypatch
):
    import re

    import webapp.decisions.views as views
    from webapp.projects.models import Project, ProjectStatus
    from webapp.projects.services import propose_project

    app.config["PROJECT_APPROVAL"] = "proposal"
    project = propose_project(session, member, title="竹あかり", purpose="", help_wanted="",
                              lead=member, now=utcnow())  # fmt: skip
    session.commit()
    log_in(client, member.email)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    button = re.search(r'<a [^>]*href="([^"]+)"[^>]*data-testid="put-to-vote"', page)
    assert button and "投票にかける" in page
    form = client.get(button.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert f'name="project_id" value="{project.id}"' in form and "竹あかり" in form
    fields = {"title": "竹あかりを始める", "body": "", "kind": "yes_no", "project_id": project.id}
    response = post(client, "/decisions/new", fields | {"discussion_days": "0", "voting_days": "1"})
    assert response.status_code == 302
    proposal_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'href="/projects/{project.id}"' in proposal_page
    # Asked again while it is open: refused, in words.
    again = post(client, "/decisions/new", fields | {"discussion_days": "0", "voting_days": "1"})
    assert again.status_code == 422 and "すでに投票にかけられています" in again.get_data(
        as_text=True
    )

    yes = re.search(r'name="option_id" value="(\d+)"', proposal_page).group(1)
    location = response.headers["Location"]
    post(client, location + "/vote", {"option_id": yes}, page=location)
    monkeypatch.setattr(views, "utcnow", lambda: utcnow() + 2 * DAY)
    assert "可決" in client.get(location).get_data(as_text=True)
    session.rollback()
    assert session.get(Project, project.id).status == ProjectStatus.ACTIVE


def test_the_meeting_desk_refuses_a_closed_account(client, member, propose, make_user, session):
    proposal = propose(discussion_days=0)
    member.closed_at = utcnow()
    session.commit()
    organiser = make_user(Role.ORGANISER)
    log_in(client, organiser.email)
    desk = f"/decisions/{proposal.id}/meeting"
    page = client.get(f"{desk}?voter={member.id}").get_data(as_text=True)
    assert "投票できません" in page and 'name="option_id"' not in page
    post(client, desk, {"voter": member.id, "option_id": proposal.options[0].id}, desk)
    assert "投票できません" in client.get(desk).get_data(as_text=True)
    session.rollback()
    assert get_ballot(session, proposal, member) is None


def test_a_proposal_form_with_a_bad_project_number_is_answered_with_the_form(client, member):
    log_in(client, member.email)
    for fields in ({"title": ""}, {"title": "本棚"}):
        response = post(client, "/decisions/new", fields | {"kind": "yes_no", "project_id": "abc",
                        "discussion_days": "0", "voting_days": "x"})  # fmt: skip
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert 'name="title"' in page and "そのプロジェクトは見つかりません" in page
    assert client.get("/decisions/new?project_id=abc").status_code == 200
