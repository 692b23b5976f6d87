"""Importing a season's participants from a CSV file: the preview says what each row will do and
writes nothing; the import writes exactly that; the same file twice changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from webapp.accounts.audit import list_audit
from webapp.accounts.invitations import accept_invitation
from webapp.accounts.models import Invitation, Role, User
from webapp.accounts.people_import import (
    MAX_ROWS,
    RowAction,
    import_people,
    preview_import,
)
from webapp.core.db import utcnow
from webapp.core.errors import DomainError

DAYS = timedelta(days=30)

SEASON = """名前,メールアドレス,期
塩尻 一郎,ichiro@example.org,第5期
広丘 二郎,,第5期
奈良井 三子,not-an-address,第5期
,nobody@example.org,第5期
塩尻 一郎,ICHIRO@example.org,第5期

洗馬 四郎,,第5期
"""


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def people(session) -> int:
    return session.scalar(select(func.count()).select_from(User))


def actions(preview):
    return [(row.line, row.action.value, row.reason) for row in preview.rows]


def test_the_preview_says_what_each_row_will_do_and_writes_nothing(session):
    before = people(session)
    preview = preview_import(session, SEASON.encode())
    assert actions(preview) == [
        (2, "invite", None),
        (3, "invite", None),
        (4, "refused", "bad_email"),
        (5, "refused", "no_name"),
        (6, "refused", "duplicate"),
        (8, "invite", None),
    ]
    assert str(preview.rows[2].reason_text) == "メールアドレスが正しくありません"
    assert preview.counts[RowAction.INVITE] == 3
    session.commit()
    assert people(session) == before
    assert session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_the_import_invites_the_previewed_rows_and_again_changes_nothing(session, keyring, admin):
    data = SEASON.encode()
    preview = preview_import(session, data)
    invited = import_people(session, keyring, data, preview.fingerprint, actor=admin,
                            now=utcnow(), lifetime=DAYS)  # fmt: skip
    session.commit()
    assert [i.person.display_name for i in invited] == ["塩尻 一郎", "広丘 二郎", "洗馬 四郎"]
    assert all(i.person.cohort == "第5期" and i.person.joined_at is None for i in invited)
    assert invited[0].person.email == "ichiro@example.org"
    actions_logged = [entry.action for entry in list_audit(session)]
    assert actions_logged.count("invitation.created") == 3
    assert actions_logged[0] == "people.imported"

    before = people(session)
    again = preview_import(session, data)
    assert [row.action.value for row in again.rows if row.line in (2, 3, 8)] == ["present"] * 3
    assert import_people(session, keyring, data, again.fingerprint, actor=admin,
                         now=utcnow(), lifetime=DAYS) == []  # fmt: skip
    session.commit()
    assert people(session) == before


def test_the_import_refuses_a_preview_that_no_longer_holds(session, keyring, admin, make_user):
    data = "name,email\n塩尻 一郎,ichiro@example.org\n".encode()
    preview = preview_import(session, data)
    make_user(email="ichiro@example.org")  # someone else takes the address meanwhile
    with pytest.raises(DomainError) as error:
        import_people(session, keyring, data, preview.fingerprint, actor=admin, now=utcnow(),
                      lifetime=DAYS)  # fmt: skip
    assert error.value.code == "preview_changed"
    assert actions(preview_import(session, data)) == [(2, "refused", "email_taken")]


def test_a_shift_jis_file_as_excel_writes_it_is_read(session):
    data = "氏名,メール,コホート\r\n塩尻 花子,,第5期\r\n髙橋 﨑子,,第5期\r\n".encode("cp932")
    preview = preview_import(session, data)
    assert [(row.name, row.cohort) for row in preview.rows] == [
        ("塩尻 花子", "第5期"),
        ("髙橋 﨑子", "第5期"),
    ]


def test_a_utf8_file_with_a_bom_and_english_headers_is_read(session):
    data = "\ufeffName,E-mail,Cohort\nHanako Shiojiri,hanako@example.org,5th\n".encode()
    [row] = preview_import(session, data).rows
    assert (row.name, row.email, row.cohort, row.action) == (
        "Hanako Shiojiri",
        "hanako@example.org",
        "5th",
        RowAction.INVITE,
    )


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        ("名前,期\n".encode(), "empty_file"),
        (b"email,cohort\na@example.org,1\n", "no_name_column"),
        (b"\xff\xfe\x00\x01\x80\x81\xfd", "bad_encoding"),
        (b'name\n"' + b"x" * (200 * 1024), "not_csv"),  # a quote never closed
        (b"name\n" + b"x" * (300 * 1024), "file_too_big"),
        (b"name\n" + "".join(f"p{n}\n" for n in range(MAX_ROWS + 1)).encode(),
         "too_many_rows"),
    ],
)  # fmt: skip
def test_a_file_that_cannot_be_read_is_refused_whole(session, data, code):
    with pytest.raises(DomainError) as error:
        preview_import(session, data)
    assert error.value.code == code


def test_someone_who_joined_under_another_name_is_not_invited_again(session, keyring, admin):
    data = "名前,期\n奈良井 トメ,第5期\n".encode()
    preview = preview_import(session, data)
    [invited] = import_people(session, keyring, data, preview.fingerprint, actor=admin,
                              now=utcnow(), lifetime=DAYS)  # fmt: skip
    accept_invitation(session, invited.secret, display_name="トメばあちゃん", password=None,
                      now=utcnow(), way="card")  # fmt: skip
    session.commit()
    before = people(session)
    again = preview_import(session, data)
    assert [row.action.value for row in again.rows] == ["present"]
    assert import_people(session, keyring, data, again.fingerprint, actor=admin,
                         now=utcnow(), lifetime=DAYS) == []  # fmt: skip
    assert people(session) == before
