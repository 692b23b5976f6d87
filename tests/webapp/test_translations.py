"""Every user-facing string is in the Japanese catalogue, translated."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from webapp.accounts.models import Role
from webapp.perks.services import create_partner

from ..conftest import csrf_token, log_in
from ..support import PROJECT_DIR

TRANSLATIONS = PROJECT_DIR / "webapp" / "translations"


def extracted_ids(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=PROJECT_DIR,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        ids = {m.id for m in read_po(f) if m.id}
    assert "Log in" in ids  # the extraction itself worked
    return ids


def catalogue(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


def test_every_string_in_the_code_has_a_japanese_translation(tmp_path):
    ja = catalogue("ja")
    translated = {m.id for m in ja if m.id and m.string and not m.fuzzy}
    missing = sorted(extracted_ids(tmp_path) - translated)
    assert missing == [], f"run `make messages` and translate: {missing}"


def test_the_english_catalogue_knows_every_string(tmp_path):
    known = {m.id for m in catalogue("en") if m.id}
    assert sorted(extracted_ids(tmp_path) - known) == []


def test_placeholders_survive_translation():
    import re

    for message in catalogue("ja"):
        if message.id and message.string:
            placeholders = set(re.findall(r"%\(\w+\)s", message.id))
            assert placeholders == set(re.findall(r"%\(\w+\)s", message.string)), message.id


def test_organiser_and_administrator_pages_name_the_coin(app, session, make_user, make_event):
    """Every page says えんコイン (the COIN_NAME), as the wallet does: never トークン."""
    make_event(reward=500, budget=2000)  # above the limits: it waits on the rewards page
    partner = create_partner(session, name_ja="塩尻ワイナリー")
    session.commit()
    organiser, admin = app.test_client(), app.test_client()
    log_in(organiser, make_user(Role.ORGANISER).email)
    log_in(admin, make_user(Role.ADMIN).email)
    pages = {
        "/events/new": organiser.get("/events/new").get_data(as_text=True),
        "/admin/rewards": admin.get("/admin/rewards").get_data(as_text=True),
        "/admin/perks": admin.get("/admin/perks").get_data(as_text=True),
    }
    assert "お礼（参加者1人あたりのえんコイン）" in pages["/events/new"]
    assert "予算（参加者全員分のえんコインの合計）" in pages["/events/new"]
    assert "1 人 500 えんコイン、予算 2,000 えんコイン" in pages["/admin/rewards"]
    assert "発行したえんコイン" in pages["/admin/rewards"]
    assert "値段（えんコイン）" in pages["/admin/perks"]
    refused = admin.post(
        "/admin/perks",
        data={"csrf_token": csrf_token(admin, "/admin/perks"), "title_ja": "ただの特典",
              "price": "0", "partner_id": partner.id},
        follow_redirects=True,
    ).get_data(as_text=True)  # fmt: skip
    assert "特典の値段は 1 えんコイン 以上にしてください。" in refused
    for path, page in pages.items():
        assert "トークン" not in page, path
