"""The app shell on a small phone: every main page of each role, at 320 and 390 px wide, at the
largest text size (特大) and at 200% text, fits the screen, has targets a finger can hit, hides
what is hidden, marks its tab, and passes axe-core.

How "200% zoom" is emulated. Two things go by that name, and the test holds both at once:
- a browser zoomed to 200% lays the page out in CSS pixels twice the size: a 640 px window
  becomes a 320 CSS px viewport (WCAG's reflow width), which the 320 px run is;
- a phone's text scaled to 200% (Android's font scale, a browser's text-size setting) doubles the
  browser's default font size, which every size here follows (they are rem). Chromium's default
  font size is set to 32 px through DevTools (Page.setFontSizes: the setting behind
  chrome://settings/fonts), and the page must really be drawn at it.
So the "200%" run is a 320 px viewport with 32 px text: the narrowest screen with the largest
text. 特大 is the app's own setting (its cookie), at 320 px too. A 390 px screen has more room
than a 320 px one at the same text, so large text is not run there again, to keep the run short.
(Playwright has no page zoom; DevTools' page scale factor is a pinch zoom, which reflows nothing.)
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from webapp.accounts.services import get_user_by_email
from webapp.checkin.codes import make_printed_token
from webapp.core.db import utcnow
from webapp.demo import DEMO_INVITATION_SECRET, load_demo_data
from webapp.events.models import Event
from webapp.events.services import create_event
from webapp.extensions import db
from webapp.ledger.services import get_balance
from webapp.onchain.connection import get_public_keyring
from webapp.perks.models import Partner, Perk
from webapp.perks.services import create_perk
from webapp.yui.models import YuiPost, YuiThread
from webapp.yui.services import PostDraft, create_post, open_thread

from ..conftest import copy_template, open_app, restore_instance, save_instance
from .conftest import axe_violations, log_in
from .records import Records, record_demo_member

# Each view: (viewport width, text): "largest" is 特大 chosen on the device, a number the
# browser's default font size in px, None the defaults.
VIEWS = {
    "320": (320, None),
    "390": (390, None),
    "320-largest": (320, "largest"),
    "320-text200": (320, 32),
}
# The root font size each text setting must draw (the browser's default is 16 px).
ROOT_SIZE = {None: "16px", "largest": "22px", 32: "32px"}

# Each role's main pages, with the tab each belongs to ("" for a visitor: no tab bar).
# "{poster}" is a poster's check-in link: a visitor gets the event's welcome, a member the
# success screen.
PAGES = {
    None: [("/login", ""), ("/scan", ""), ("/c/{poster}", ""), ("/join/{invitation}", "")],
    "member@example.org": [
        ("/", "home"),
        ("/calendar", "home"),
        ("/calendar/{event}", "home"),
        ("/scan", "scan"),
        ("/c/{poster}", "scan"),
        ("/wallet", "wallet"),
        ("/wallet/badges/{badge}", "wallet"),
        ("/wallet/proofs/{proof}", "wallet"),
        ("/wallet/card", "wallet"),
        ("/perks", "perks"),
        ("/perks/{perk}", "perks"),
        ("/account", "account"),
        ("/account/devices", "account"),
        ("/account/contribution", "account"),
        ("/thanks", "account"),
        ("/thanks/give/{neighbour}", "account"),
        ("/thanks/scan", "account"),
        ("/account/profile", "account"),
        ("/members/{member}", "account"),  # her own, as others see it
        ("/members", "account"),
        ("/account/data", "account"),
        ("/account/close", "account"),
        ("/community", "account"),
        ("/community?year=2026", "account"),
        ("/yui", "home"),
        ("/yui/new", "home"),
        ("/yui/{yui_post}", "home"),
        ("/yui/threads", "home"),
        ("/yui/threads/{yui_thread}", "home"),
        ("/yui/threads/{thread}/confirm", ""),  # a 結い's confirmation: the camera, her card
    ],
    "organiser@example.org": [
        ("/events", "account"),
        ("/events/new", "account"),
        ("/events/{event}", "account"),
        ("/events/{event}?tab=attendees", "account"),
        ("/events/{event}?tab=settings", "account"),
        ("/events/{event}/checkin?q=塩尻", "account"),
        ("/events/{event}/display", ""),
        ("/calendar/{event}", "home"),
        ("/yui/for", "home"),
    ],
    "admin@example.org": [
        ("/admin/members", "account"),
        ("/admin/members?q=塩尻", "account"),
        ("/admin/members/{member}", "account"),
        ("/admin/members/invite", "account"),
        ("/admin/members/import", "account"),
        ("/admin/rewards", "account"),
        ("/admin/chain", "account"),
        ("/admin/audit", "account"),
        ("/admin/perks", "account"),
        ("/admin/discord", "account"),
        ("/admin/community", "account"),
        ("/admin/thanks", "account"),
        ("/admin/yui", "account"),
        ("/partner", "account"),
        ("/account", "account"),
    ],
    "shop@example.org": [("/partner", "account")],
}

# What a finger must hit is at least 44×44 px. The exceptions, and why:
# - a link inside running text (its paragraph says more than the link): WCAG 2.5.8 exempts
#   inline targets, and a 44 px line would tear the sentence apart;
# - the explorer link of a transaction hash, drawn as code in a line of text (same reason).
TARGETS = """() => {
  const small = [];
  const controls = document.querySelectorAll(
    'a[href], button, input[type=submit], input[type=button], summary, [role=button]');
  for (const el of controls) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden') continue;  // not shown
    if (el.closest('.visually-hidden')) continue;
    const inText = el.tagName === 'A' && el.parentElement &&
      el.parentElement.textContent.trim().length > el.textContent.trim().length;
    if (inText) continue;
    if (box.width < 44 || box.height < 44) {
      small.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}" ` +
                 `${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
}"""

HIDDEN_SHOWN = """() => [...document.querySelectorAll('[hidden]')]
  .filter((el) => getComputedStyle(el).display !== 'none')
  .map((el) => el.outerHTML.slice(0, 80))"""

# Icons the page draws that the sprite does not hold (they would show as blank squares).
MISSING_ICONS = """async () => {
  const uses = [...document.querySelectorAll('svg use')].map((use) => use.getAttribute('href'));
  if (!uses.length) return [];
  const sprite = await (await fetch(uses[0].split('#')[0])).text();
  return uses.map((href) => href.split('#')[1]).filter((id) => !sprite.includes(`id="${id}"`));
}"""

# Text squeezed into a column too narrow to read: a sentence of a few characters a line (large
# text beside a big icon or inside wide padding breaks a word into one character a line).
SQUEEZED = """() => {
  const squeezed = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.textContent.trim();
    if (text.length < 6) continue;
    const range = document.createRange();
    range.selectNodeContents(walker.currentNode);
    const rects = [...range.getClientRects()].filter((rect) => rect.width > 0);
    const lines = new Set(rects.map((rect) => Math.round(rect.top))).size;
    if (lines >= 3 && text.length / lines < 4) {
      squeezed.push(`"${text.slice(0, 20)}" in ${lines} lines`);
    }
  }
  return squeezed;
}"""

# Tabs whose icon or word spills out of the tab (over a neighbour, or off the screen): the words
# may shrink or wrap at large text, but each tab keeps to its own place.
CROWDED_TABS = """() => [...document.querySelectorAll('.tab-bar .tab')].filter((tab) => {
  const place = tab.parentElement.getBoundingClientRect();
  return [tab, ...tab.children].some((part) => {
    const box = part.getBoundingClientRect();
    const spills = box.left < place.left - 0.5 || box.right > place.right + 0.5;
    return spills || (part.tagName === 'SPAN' && part.scrollWidth > part.clientWidth + 1);
  });
}).map((tab) => tab.dataset.tab)"""

CURRENT_TAB = """() => [...document.querySelectorAll('.tab-bar [aria-current]')]
  .map((el) => el.dataset.tab)"""


def problems_on(page, path: str, tab: str) -> list[str]:
    """What is wrong with the page now open, in words a reviewer can act on."""
    found = []
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        found.append(f"{path}: scrolls sideways ({width[0]} > {width[1]} px)")
    found += [f"{path}: small target {target}" for target in page.evaluate(TARGETS)]
    found += [f"{path}: hidden but shown {html}" for html in page.evaluate(HIDDEN_SHOWN)]
    found += [f"{path}: no icon {name} in the sprite" for name in page.evaluate(MISSING_ICONS)]
    found += [f"{path}: squeezed text {text}" for text in page.evaluate(SQUEEZED)]
    found += [f"{path}: tab {name} spills out of its place" for name in page.evaluate(CROWDED_TABS)]
    current = page.evaluate(CURRENT_TAB)
    if current != ([tab] if tab else []):
        found.append(f"{path}: current tab {current}, expected {tab or 'no tab bar'}")
    found += [f"{path}: axe {v}" for v in axe_violations(page)]
    return found


def open_phone(browser, base: str, width: int, text):
    """A page on a phone `width` px wide, its text as `text` says (see VIEWS)."""
    context = browser.new_context(viewport={"width": width, "height": 700}, locale="ja-JP")
    if text == "largest":
        context.add_cookies([{"name": "text_size", "value": "largest", "url": base}])
    page = context.new_page()
    if isinstance(text, int):
        devtools = context.new_cdp_session(page)
        devtools.send("Page.setFontSizes", {"fontSizes": {"standard": text, "fixed": text}})
    return context, page


# 特大 is for the members' own pages (and a visitor's); 200% text, larger still, covers every role.
RUNS = [
    pytest.param(who, view, id=f"{(who or 'visitor').split('@')[0]}-{view}")
    for who in PAGES
    for view in VIEWS
    if view != "320-largest" or who in (None, "member@example.org")
]


def shows_records(who) -> bool:
    """Whether `who`'s pages include the wallet's, which need the member's records."""
    return any("{badge}" in path for path, _tab in PAGES[who])


def runs_recorded(request) -> bool:
    """Whether this test is a run of the member's pages (see `recorded`)."""
    callspec = getattr(request.node, "callspec", None)
    return callspec is not None and shows_records(callspec.params.get("who"))


@pytest.fixture(scope="module")
def recorded(template_instance, tmp_path_factory) -> tuple[Path, Records]:
    """An instance with the demo data and the demo member's wallet (badges, history, proofs)
    on chain, made once for the module: each run of the member's pages starts from a copy."""
    folder = tmp_path_factory.mktemp("recorded")
    copy_template(template_instance, folder)
    app, provider = open_app(folder)
    try:
        with app.app_context():
            load_demo_data(db.session, get_public_keyring(app), utcnow())
            db.session.commit()
            records = record_demo_member(app, db.session)
            db.session.remove()
            db.engine.dispose()
    finally:
        provider.close()
    save_instance(folder)
    return folder, records


@pytest.fixture
def instance(instance, request):
    """A member run's instance starts from the recorded one (the demo data already in it)."""
    if runs_recorded(request):
        restore_instance(request.getfixturevalue("recorded")[0], instance)
    return instance


@pytest.fixture
def demo_data(request, app, keyring) -> None:
    """The demo data, already in a member run's instance (see `recorded`)."""
    if not runs_recorded(request):
        load_demo_data(db.session, keyring, utcnow())
        db.session.commit()


@pytest.mark.parametrize(("who", "view"), RUNS)
def test_each_main_page_fits_a_small_phone(live_server, browser, session, request, who, view):
    event = session.scalars(select(Event).order_by(Event.starts_at)).first()
    perk = session.scalars(select(Perk).order_by(Perk.price)).first()
    member = get_user_by_email(session, "member@example.org")
    values = {"event": event.id, "perk": perk.id, "member": member.id}
    values["neighbour"] = get_user_by_email(session, "daimon@example.org").id  # a public profile
    values["invitation"] = DEMO_INVITATION_SECRET
    values["yui_post"] = session.scalar(select(YuiPost.id).where(YuiPost.coins > 0))
    values["yui_thread"] = session.scalar(select(YuiThread.id))
    if shows_records(who):
        records = request.getfixturevalue("recorded")[1]
        values |= {"badge": records.badge_ids[0], "proof": records.job_ids[-1]}
    organiser = get_user_by_email(session, "organiser@example.org")
    now = utcnow()
    today = create_event(
        session, organiser, title="ぶどう畑の草刈りボランティア", venue="塩尻市 大門 公民館",
        reward=10, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2),
    )  # fmt: skip
    if who == "member@example.org":  # she answered a neighbour's request on the 結い board
        neighbour = get_user_by_email(session, "daimon@example.org")
        draft = PostDraft(kind="request", category="shopping", area="daimon", title="買い物")
        post = create_post(session, draft, author=neighbour, for_user=neighbour, now=now)
        values["thread"] = open_thread(session, post, member, now).id
    session.commit()
    values["poster"] = make_printed_token(today.id, today.secret)
    width, text = VIEWS[view]
    context, page = open_phone(browser, live_server, width, text)
    try:
        if who:
            log_in(page, live_server, who)
        found = []
        for path, tab in PAGES[who]:
            path = path.format(**values)
            answer = page.goto(f"{live_server}{path}")
            assert answer.ok, f"{path}: {answer.status}"
            root = page.evaluate("getComputedStyle(document.documentElement).fontSize")
            assert root == ROOT_SIZE[text], f"{path}: text at {root}, not {ROOT_SIZE[text]}"
            found += problems_on(page, path, tab)
        assert found == []
    finally:
        context.close()


def test_the_tab_bar_leads_to_each_place_and_marks_it(live_server, page):
    log_in(page, live_server, "member@example.org")
    tabs = page.get_by_role("navigation", name="メイン")
    for name, path in (("ウォレット", "/wallet"), ("特典", "/perks"), ("マイページ", "/account")):
        tabs.get_by_role("link", name=name).click()
        page.wait_for_url(f"{live_server}{path}")
        expect(tabs.get_by_role("link", name=name)).to_have_attribute("aria-current", "page")
    tabs.get_by_role("link", name="ホーム").click()
    expect(page.get_by_role("heading", name="こんにちは、塩尻 花子さん")).to_be_visible()


def test_a_visitor_gets_the_slim_bar_with_scan_and_log_in(live_server, page):
    page.goto(f"{live_server}/scan")
    bar = page.get_by_role("navigation", name="メイン")
    expect(bar.get_by_role("link")).to_have_text(["読み取る", "ログイン"])
    expect(page.locator(".tab-bar")).to_have_count(0)


def test_organisers_and_administrators_reach_their_pages_from_my_page(live_server, page):
    log_in(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/account")
    manage = page.get_by_role("list", name="管理")
    names = ("イベント", "会員", "監査ログ", "提携店と特典", "お礼のコイン", "チェーン", "Discord")
    for name in names:
        expect(manage.get_by_role("link", name=name, exact=True)).to_be_visible()
    manage.get_by_role("link", name="会員", exact=True).click()
    page.wait_for_url(f"{live_server}/admin/members")
    page.get_by_role("link", name="戻る").click()
    page.wait_for_url(f"{live_server}/account")


def test_a_member_sees_no_manage_section(live_server, page):
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/account")
    expect(page.get_by_test_id("account-name")).to_have_text("塩尻 花子")
    expect(page.get_by_role("list", name="管理")).to_have_count(0)


def test_shop_staff_land_on_their_shop(live_server, page):
    log_in(page, live_server, "shop@example.org")
    assert page.url.startswith(f"{live_server}/partner/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("塩尻ワイナリー")


def test_a_perk_out_of_reach_cannot_be_pressed_and_says_what_is_missing(live_server, page, session):
    member = get_user_by_email(session, "member@example.org")
    have = get_balance(session, member).total
    winery = session.scalar(select(Partner).where(Partner.name_ja == "塩尻ワイナリー"))
    tour = create_perk(session, winery, title_ja="ワイナリー見学ツアー", price=have + 20)
    session.commit()
    log_in(page, live_server, "member@example.org")
    page.goto(f"{live_server}/perks")
    card = page.get_by_test_id("perk").filter(has_text="ワイナリー見学ツアー")
    expect(card.get_by_role("button", name="あと 20 えんコイン")).to_be_disabled()
    expect(card.get_by_role("link")).to_have_count(0)
    page.goto(f"{live_server}/perks/{tour.id}")
    button = page.get_by_test_id("use-perk")
    expect(button).to_be_disabled()
    expect(button).to_have_text("あと 20 えんコイン")
    expect(page.get_by_role("button", name="はい、")).to_have_count(0)
    assert axe_violations(page) == []


def test_an_unknown_page_is_a_japanese_page_inside_the_app(live_server, page):
    log_in(page, live_server, "member@example.org")
    answer = page.goto(f"{live_server}/nowhere")
    assert answer.status == 404
    expect(page.get_by_role("heading", name="ページが見つかりません")).to_be_visible()
    expect(page.get_by_role("navigation", name="メイン")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert axe_violations(page) == []
