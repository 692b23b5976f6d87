from datetime import timedelta

from sqlalchemy import func, select

from webapp.core.db import utcnow
from webapp.projects.models import Project, ProjectBadge, ProjectStatus
from webapp.projects.services import join_project

from ...conftest import csrf_token, log_in


def logged_in(app, person):
    client = app.test_client()
    log_in(client, person.email)
    return client


def post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/projects"), **data})


def count_projects(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(Project))


def test_the_list_shows_active_projects_then_waiting_ones_as_cards(app, member, make_project):
    make_project(title="待っている計画", active=False)
    make_project(title="奈良井宿 灯りのまつり", purpose="宿場町を灯りで飾る\n二行目は一覧に出ない")
    page = logged_in(app, member).get("/projects").get_data(as_text=True)
    assert page.count('data-testid="project-card"') == 2
    assert page.index("奈良井宿 灯りのまつり") < page.index("待っている計画")
    assert "宿場町を灯りで飾る" in page and "二行目は一覧に出ない" not in page
    assert "竹灯籠づくりの人手" in page  # the help wanted
    assert 'href="/projects/new"' in page


def test_an_empty_list_offers_one_next_step(app, member):
    page = logged_in(app, member).get("/projects").get_data(as_text=True)
    assert 'class="empty"' in page and page.count('href="/projects/new"') == 1


def test_a_member_proposes_a_project_led_by_another_member(app, session, member, make_user):
    other, outsider = make_user(), make_user(member=False)
    client = logged_in(app, member)
    form = client.get("/projects/new").get_data(as_text=True)
    assert f'value="{other.id}"' in form and f'value="{outsider.id}"' not in form
    response = post(client, "/projects/new", title="灯りのまつり", purpose="灯りで飾る",
                    help_wanted="人手", lead_id=str(other.id))  # fmt: skip
    assert response.status_code == 302
    project = session.scalar(select(Project))
    assert response.headers["Location"] == f"/projects/{project.id}"
    assert (project.lead_id, project.proposed_by_id) == (other.id, member.id)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert other.display_name in page and 'data-status="proposed"' in page


def test_a_wrong_form_says_what_is_wrong_and_writes_nothing(app, session, member, make_user):
    outsider = make_user(member=False)
    client = logged_in(app, member)
    for data in (
        {"title": "", "lead_id": str(member.id)},
        {"title": "灯り", "lead_id": str(outsider.id)},  # no valid card: not a choice
        {"title": "x" * 201, "lead_id": str(member.id)},
    ):
        response = post(client, "/projects/new", purpose="", help_wanted="", **data)
        assert response.status_code == 200
        assert 'class="field-error"' in response.get_data(as_text=True)
    assert count_projects(session) == 0


def test_someone_without_a_valid_card_reads_but_cannot_propose_or_join(
    app, session, make_user, make_project
):
    project, outsider = make_project(), make_user(member=False)
    client = logged_in(app, outsider)
    assert 'data-testid="no-card"' in client.get("/projects").get_data(as_text=True)
    assert 'data-testid="no-card"' in client.get("/projects/new").get_data(as_text=True)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'data-testid="no-card"' in page and 'data-testid="join"' not in page
    assert project.title in page
    post(client, "/projects/new", title="灯り", purpose="", help_wanted="",
         lead_id=str(outsider.id))  # fmt: skip
    assert count_projects(session) == 1


def test_the_project_page_shows_its_members_and_its_events(
    app, session, member, make_user, make_event, make_project
):
    project, helper = make_project(purpose="宿場町を灯りで飾る"), make_user()
    join_project(session, project, helper, now=utcnow())
    soon = make_event(title="灯籠づくり", starts_at=utcnow() + timedelta(days=3),
                      ends_at=utcnow() + timedelta(days=3, hours=2))  # fmt: skip
    over = make_event(title="下見", starts_at=utcnow() - timedelta(days=3),
                      ends_at=utcnow() - timedelta(days=3) + timedelta(hours=1))  # fmt: skip
    elsewhere = make_event(title="関係のない会")
    soon.project_id = over.project_id = project.id
    session.commit()
    page = logged_in(app, helper).get(f"/projects/{project.id}").get_data(as_text=True)
    assert "宿場町を灯りで飾る" in page and "竹灯籠づくりの人手" in page
    assert member.display_name in page and helper.display_name in page
    assert f'href="/calendar/{soon.id}"' in page and f'href="/calendar/{over.id}"' in page
    assert page.index("灯籠づくり") < page.index("下見")  # upcoming first, then past
    assert elsewhere.title not in page
    assert 'data-testid="leave"' in page and 'data-testid="give-badge"' not in page


def test_join_and_leave_with_the_buttons(app, session, make_user, make_project):
    project, person = make_project(), make_user()
    client = logged_in(app, person)
    assert 'data-testid="join"' in client.get(f"/projects/{project.id}").get_data(as_text=True)
    post(client, f"/projects/{project.id}/join")
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'data-testid="joined"' in page and person.display_name in page
    post(client, f"/projects/{project.id}/leave")
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'data-testid="join"' in page and person.display_name not in page


def test_the_lead_gives_the_badge_and_closes_the_project(
    app, session, member, make_user, make_project
):
    project, helper = make_project(), make_user()
    join_project(session, project, helper, now=utcnow())
    session.commit()
    client = logged_in(app, member)
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert f"/badges/{2**32 + project.id}.png" in page  # the badge's artwork
    assert 'data-testid="give-badge"' in page and 'data-testid="close"' in page
    post(client, f"/projects/{project.id}/badges", user_id=str(helper.id))
    post(client, f"/projects/{project.id}/badges", user_id=str(helper.id))  # again: once
    session.rollback()
    assert session.scalar(select(func.count()).select_from(ProjectBadge)) == 1
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    holders = page.split('data-testid="badge-holders"')[1].split("</ul>")[0]
    assert helper.display_name in holders
    post(client, f"/projects/{project.id}/close")
    session.rollback()
    assert session.get(Project, project.id).status == ProjectStatus.CLOSED
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'data-status="closed"' in page and 'data-testid="join"' not in page


def test_an_administrator_approves_a_waiting_project(app, session, admin, make_project):
    project = make_project(active=False)
    client = logged_in(app, admin)
    page = client.get("/admin/projects").get_data(as_text=True)
    assert project.title in page and 'data-testid="approve"' in page
    post(client, f"/admin/projects/{project.id}/approve")
    session.rollback()
    assert session.get(Project, project.id).status == ProjectStatus.ACTIVE
    assert project.title not in client.get("/admin/projects").get_data(as_text=True)


def test_a_declined_project_tells_its_proposer_why(app, session, member, admin, make_project):
    project = make_project(active=False)
    post(logged_in(app, admin), f"/admin/projects/{project.id}/decline", reason="予算が足りません")
    page = logged_in(app, member).get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'data-status="declined"' in page and "予算が足りません" in page


def test_where_a_vote_decides_there_is_no_approve_button(app, session, member, admin, make_project):
    app.config["PROJECT_APPROVAL"] = "proposal"
    project = make_project(active=False)
    client = logged_in(app, admin)
    page = client.get("/admin/projects").get_data(as_text=True)
    assert project.title in page and 'data-testid="rule"' in page
    assert 'data-testid="approve"' not in page and 'data-testid="decline"' not in page
    post(client, f"/admin/projects/{project.id}/approve")
    session.rollback()
    assert session.get(Project, project.id).status == ProjectStatus.PROPOSED
    page = logged_in(app, member).get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'data-rule="proposal"' in page


def test_my_page_leads_to_the_projects(app, member, admin):
    assert 'href="/projects"' in logged_in(app, member).get("/account").get_data(as_text=True)
    page = logged_in(app, admin).get("/account").get_data(as_text=True)
    assert 'href="/admin/projects"' in page


def test_the_chain_page_names_a_project_badge_s_job(app, session, member, admin, make_project):
    from webapp.projects.services import give_badges

    project = make_project()
    give_badges(session, project, member, [member], now=utcnow())
    session.commit()
    page = logged_in(app, admin).get("/admin/chain").get_data(as_text=True)
    rows = page.split('data-testid="job"')[1:]
    project_rows = [row for row in rows if f"{project.id})</td>" in row.split("</td>")[0] + "</td>"]
    assert len(project_rows) == 1  # its project named beside the kind (no events here)
