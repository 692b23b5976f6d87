"""Demo data for a first start: a community that has been going for a few months.

Five past events of 塩尻ラボ with their check-ins, the demo member's perk used at the winery,
one event open now, a second organiser's event coming up, the shops' perks with pictures, and
a few posts on the 結い board.
Everything goes through the domains' own services, with the times it happened at, so the rows
are those the app would have written then, and the chain worker mints them on the next start.
"""

from __future__ import annotations

import io
import secrets
import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from PIL import Image, ImageDraw
from sqlalchemy.orm import Session

from chain.wallets import PublicKeyring
from webapp.accounts.invitations import add_fixed_invitation
from webapp.accounts.models import Role, User
from webapp.accounts.services import create_user
from webapp.checkin.codes import get_display_code
from webapp.checkin.services import ClaimInput, record_claim
from webapp.decisions.demo_data import add_demo_proposals
from webapp.events.models import Event
from webapp.events.services import create_event
from webapp.membership.services import issue_membership
from webapp.perks.models import Perk
from webapp.perks.redemptions import start_redemption, ticket_key, use_ticket
from webapp.perks.services import add_staff, create_partner, create_perk
from webapp.profiles.models import Area, Visibility
from webapp.profiles.residence import set_residence
from webapp.profiles.services import save_profile
from webapp.projects.demo import load_demo_project
from webapp.thanks.demo import load_demo_thanks
from webapp.yui.demo import load_demo_board

DEMO_PASSWORD = "demo-password"
DEMO_LOGINS = (
    ("admin@example.org", "管理者 デモ", Role.ADMIN),
    ("organiser@example.org", "主催者 デモ", Role.ORGANISER),
    ("member@example.org", "塩尻 花子", Role.MEMBER),
    ("shop@example.org", "ワイナリー スタッフ", Role.MEMBER),
    ("organiser2@example.org", "奈良井 健太", Role.ORGANISER),
)
# Neighbours who take part too (no login: their passwords are random), so that events have a
# crowd and the organisers' lists are not one name long.
NEIGHBOURS = (
    ("daimon@example.org", "大門 さくら"),
    ("hirooka@example.org", "広丘 翔"),
    ("seba@example.org", "洗馬 トメ"),  # no phone: the organiser posts on the 結い board for her
)
# Where they live, as they said when joining: the community page splits its figures by it
# (広丘 翔 comes from Tokyo: 関係人口).
RESIDENCES = {
    "admin@example.org": Area.CITY,
    "organiser@example.org": Area.CITY,
    "member@example.org": Area.CITY,
    "organiser2@example.org": Area.PREFECTURE,
    "daimon@example.org": Area.CITY,
    "hirooka@example.org": Area.OUTSIDE,
    "seba@example.org": Area.CITY,
}
# Profiles some of them chose to show (the rest stay private, the default): the directory at
# /members has people to find, by skill, interest or project.
PROFILES = {
    "member@example.org": (
        "塩尻生まれ、塩尻育ち。週末は桔梗ヶ原のぶどう畑を手伝っています。",
        Visibility.MEMBERS, ("農業", "料理"), ("ワイン", "子育て"),
    ),
    "daimon@example.org": (
        "大門商店街で小さなデザイン事務所をしています。チラシづくり、お手伝いします。",
        Visibility.PUBLIC, ("デザイン", "写真"), ("空き店舗", "まちづくり"),
    ),
    "hirooka@example.org": (
        "東京から月に一度通っています。IT の相談ならどうぞ。",
        Visibility.MEMBERS, ("IT", "スマホの使い方"), ("農業", "ワイン"),
    ),
}  # fmt: skip
# Who works where: the shop login confirms the winery's tickets at /partner.
DEMO_STAFF = {"塩尻ワイナリー": "shop@example.org"}
# The season the demo's members took part in, and one participant invited but not joined yet:
# the README prints the link of her invitation (this secret is the demo's only; a real
# invitation's is random), so a newcomer can try joining.
DEMO_COHORT = "第5期"
DEMO_INVITATION_SECRET = "demo-invitation-try-joining"
DEMO_INVITED = "桔梗ヶ原 みどり"
# With an address, so that a newcomer trying the link may choose any way to log in (a password
# needs one; a passkey needs a host name, http://localhost:5000, not 127.0.0.1).
DEMO_INVITED_EMAIL = "midori@example.org"
ZONE = ZoneInfo("Asia/Tokyo")


def load_demo_data(session: Session, keyring: PublicKeyring, now: datetime) -> None:
    people = _people(session, keyring, now)
    _past_events(session, people, now)
    perks = _perks(session)
    _used_perk(session, people, perks["ワイナリーのぶどうジュース1本"], now)
    create_event(
        session,
        people["organiser@example.org"],
        title="塩尻ラボ 交流会",
        venue="えんぱーく 3階",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=30),
        reward=10,
        description="デモ用のイベントです。会場のコードを読み取ると、バッジとコインがもらえます。",
        now=now - timedelta(days=7),
    )
    create_event(
        session,
        people["organiser2@example.org"],
        title="奈良井宿 灯りのまつり 準備",
        venue="奈良井宿 中村邸前",
        starts_at=_local(now, 12, time(16)),
        ends_at=_local(now, 12, time(19)),
        reward=15,
        description="宿場の軒先に行灯を並べます。軍手があれば持ってきてください。",
        now=now - timedelta(days=3),
    )
    load_demo_project(session, people, now)
    add_demo_proposals(session, people, now)
    load_demo_board(session, people, now)
    load_demo_thanks(session, people, now)


def _people(session: Session, keyring: PublicKeyring, now: datetime) -> dict[str, User]:
    people = {
        email: create_user(
            session, keyring, email=email, password=DEMO_PASSWORD, display_name=name, role=role,
            cohort=DEMO_COHORT if role == Role.MEMBER and email != "shop@example.org" else None,
        )
        for email, name, role in DEMO_LOGINS
    }  # fmt: skip
    for email, name in NEIGHBOURS:
        people[email] = create_user(
            session, keyring, email=email, password=secrets.token_urlsafe(16), display_name=name,
            cohort=DEMO_COHORT,
        )  # fmt: skip
    joined = _local(now, -100, time(10))
    for email, user in people.items():
        if email != "shop@example.org":  # the winery's staff is not a member
            issue_membership(session, user, now=joined)
        if email in RESIDENCES:
            set_residence(session, user.id, RESIDENCES[email], now=joined)
    for email, (introduction, visibility, skills, interests) in PROFILES.items():
        save_profile(
            session, people[email], introduction=introduction, visibility=visibility,
            skills=skills, interests=interests, now=joined,
        )  # fmt: skip
    _invited(session, keyring, people["admin@example.org"], now)
    return people


def _invited(session: Session, keyring: PublicKeyring, admin: User, now: datetime) -> None:
    person = create_user(
        session, keyring, email=DEMO_INVITED_EMAIL, password=None, display_name=DEMO_INVITED,
        cohort=DEMO_COHORT, invited=True,
    )  # fmt: skip
    add_fixed_invitation(
        session, person, admin, DEMO_INVITATION_SECRET, now - timedelta(days=2), timedelta(days=365)
    )


# Past events: days ago, local start and end, title, venue, organiser, who came (besides the
# demo member, who came to all five).
PAST_EVENTS = (
    (84, time(14), time(16), "塩尻ラボ キックオフ", "えんぱーく 多目的ホール",
     "organiser@example.org", ("daimon", "hirooka", "organiser2")),
    (63, time(9), time(12), "奈良井宿 まちなみ清掃", "奈良井宿 鎮神社前",
     "organiser2@example.org", ("daimon", "organiser")),
    (42, time(13), time(16), "大門商店街 空き店舗ワークショップ", "大門一番町 空き店舗",
     "organiser@example.org", ("daimon", "hirooka")),
    (24, time(9), time(12), "桔梗ヶ原 ぶどう収穫ボランティア", "桔梗ヶ原 ワイン畑",
     "organiser2@example.org", ("daimon", "hirooka", "organiser")),
    (10, time(18), time(20), "塩尻ラボ 月例ミートアップ", "えんぱーく 3階 交流ラウンジ",
     "organiser@example.org", ("hirooka", "organiser2")),
)  # fmt: skip


def _past_events(session: Session, people: dict[str, User], now: datetime) -> None:
    for days_ago, start, end, title, venue, organiser, others in PAST_EVENTS:
        starts_at = _local(now, -days_ago, start)
        event = create_event(
            session,
            people[organiser],
            title=title,
            venue=venue,
            starts_at=starts_at,
            ends_at=_local(now, -days_ago, end),
            reward=10,
            now=starts_at - timedelta(days=14),
        )
        guests = ["member@example.org"] + [f"{name}@example.org" for name in others]
        for minutes, email in enumerate(guests):
            _scan(session, people[email], event, starts_at + timedelta(minutes=5 + 7 * minutes))


def _scan(session: Session, member: User, event: Event, at: datetime) -> None:
    """The member's phone reads the code the venue's display shows at `at`, live."""
    code = get_display_code(event, current_app.config["BASE_URL"], at)
    claim = ClaimInput(id=str(uuid.uuid4()), code=code.url, scanned_at=at)
    result = record_claim(session, member, claim, now=at, source="api")
    if not result.accepted:  # the demo's own data is wrong: say so rather than load less
        raise RuntimeError(f"demo check-in to {event.title} refused: {result.reason}")


def _local(now: datetime, days: int, at: time) -> datetime:
    """`days` from today (in Shiojiri) at the local time `at`, in UTC."""
    day = now.astimezone(ZONE).date() + timedelta(days=days)
    return datetime.combine(day, at, ZONE).astimezone(now.tzinfo)


# Shop, place; the perk's titles, price, stock, its picture and what the picture shows.
PERKS = (
    (("塩尻ワイナリー", "塩尻市洗馬"), "ワイナリーでグラスワイン1杯", "A glass at the winery",
     30, None, "wine", "赤ワインが入ったグラスと、ぶどうの房"),
    (("塩尻ワイナリー", "塩尻市洗馬"), "ワイナリーのぶどうジュース1本", "A bottle of grape juice",
     10, None, "juice", "ぶどうジュースのびんと、ジュースを注いだコップ"),
    (("大門カフェ", "塩尻市大門"), "カフェのコーヒー1杯", "A coffee at the café",
     15, None, "coffee", "湯気の立つコーヒーカップ"),
    (("木曽平沢工房", "塩尻市木曽平沢"), "木曽漆器ワークショップ参加",
     "A seat at the lacquerware workshop", 60, 8, "lacquer", "朱色の漆塗りのおわんと、はし"),
)  # fmt: skip


def _perks(session: Session) -> dict[str, Perk]:
    partners = {}
    perks = {}
    for (shop, place), title_ja, title_en, price, stock, picture, alt in PERKS:
        if shop not in partners:
            partners[shop] = create_partner(session, name_ja=shop, place=place)
            if shop in DEMO_STAFF:
                add_staff(session, partners[shop], DEMO_STAFF[shop])
        perks[title_ja] = create_perk(
            session,
            partners[shop],
            title_ja=title_ja,
            title_en=title_en,
            price=price,
            stock=stock,
            limit_per_member=1 if stock else None,
            photo=_png(PICTURES[picture]()),
            photo_alt=alt,
        )
    return perks


def _used_perk(session: Session, people: dict[str, User], perk: Perk, now: datetime) -> None:
    """The demo member took a bottle of juice home from the winery earlier today (so the shop's
    page lists it among today's): the staff typed the ticket's six digits."""
    used_at = min(max(now - timedelta(hours=2), _local(now, 0, time(0, 10))), now)
    lifetime = timedelta(minutes=current_app.config["TICKET_MINUTES"])
    member = people["member@example.org"]
    ticket = start_redemption(session, member, perk, used_at - timedelta(minutes=3), lifetime)
    key = ticket_key(current_app.secret_key)
    staff = people[DEMO_STAFF[perk.partner.name_ja]]
    use_ticket(session, staff, perk.partner, ticket.short_code, key, used_at)


# -- the perks' pictures: flat drawings, made here (nothing is downloaded) ----------------------

WIDTH, HEIGHT = 800, 500
SCALE = 2  # drawn at twice the size, then scaled down: smooth edges


def _canvas(top: tuple, bottom: tuple) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE))
    draw = ImageDraw.Draw(image)
    for y in range(HEIGHT * SCALE):
        share = y / (HEIGHT * SCALE)
        colour = tuple(round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (WIDTH * SCALE, y)], fill=colour)
    return image, draw


def _at(*xy: int) -> list[int]:
    return [v * SCALE for v in xy]


def _grapes(draw: ImageDraw.ImageDraw, x: int, y: int, r: int, colour: tuple) -> None:
    for dx, dy in ((0, 0), (2, 0), (4, 0), (1, 1.7), (3, 1.7), (2, 3.4)):
        cx, cy = x + dx * r, y + dy * r
        draw.ellipse(_at(cx - r, cy - r, cx + r, cy + r), fill=colour)


def _wine() -> Image.Image:
    image, draw = _canvas((246, 236, 222), (233, 214, 190))
    draw.ellipse(_at(-100, 380, 900, 700), fill=(120, 150, 80))
    draw.ellipse(_at(300, 400, 1000, 700), fill=(96, 128, 64))
    draw.line(_at(650, 128, 660, 95), fill=(90, 70, 40), width=6 * SCALE)
    draw.ellipse(_at(655, 85, 705, 115), fill=(110, 150, 70))
    _grapes(draw, 610, 150, 21, (92, 40, 86))
    draw.chord(_at(260, 60, 500, 330), 0, 180, fill=(120, 24, 52))
    draw.ellipse(_at(260, 60, 500, 330), outline=(255, 255, 255), width=5 * SCALE)
    draw.rectangle(_at(372, 328, 388, 430), fill=(250, 250, 250))
    draw.ellipse(_at(310, 420, 450, 450), fill=(250, 250, 250))
    return image


def _juice() -> Image.Image:
    image, draw = _canvas((236, 228, 245), (214, 200, 230))
    draw.rectangle(_at(0, 400, 800, 500), fill=(160, 120, 80))
    draw.rectangle(_at(0, 400, 800, 412), fill=(130, 95, 60))
    draw.rounded_rectangle(_at(320, 170, 480, 420), radius=30 * SCALE, fill=(84, 30, 80))
    draw.rounded_rectangle(_at(370, 70, 430, 190), radius=10 * SCALE, fill=(84, 30, 80))
    draw.rectangle(_at(365, 60, 435, 85), fill=(200, 160, 60))
    draw.rounded_rectangle(_at(335, 240, 465, 350), radius=8 * SCALE, fill=(250, 244, 228))
    _grapes(draw, 370, 270, 13, (110, 50, 110))
    draw.polygon(_at(540, 260, 640, 260, 628, 420, 552, 420), fill=(235, 235, 240))
    draw.polygon(_at(544, 300, 636, 300, 628, 415, 552, 415), fill=(110, 40, 100))
    return image


def _coffee() -> Image.Image:
    image, draw = _canvas((232, 240, 244), (210, 222, 230))
    draw.rectangle(_at(0, 360, 800, 500), fill=(150, 105, 70))
    draw.rectangle(_at(0, 360, 800, 372), fill=(120, 82, 52))
    draw.ellipse(_at(220, 360, 580, 430), fill=(250, 250, 250), outline=(215, 215, 215))
    draw.arc(_at(500, 250, 590, 340), 270, 90, fill=(250, 250, 250), width=16 * SCALE)
    draw.pieslice(_at(270, 170, 530, 420), 0, 180, fill=(250, 250, 250))
    draw.rectangle(_at(270, 230, 530, 296), fill=(250, 250, 250))
    draw.ellipse(_at(270, 205, 530, 255), fill=(235, 235, 235))
    draw.ellipse(_at(282, 210, 518, 250), fill=(92, 54, 30))
    draw.ellipse(_at(360, 220, 440, 240), fill=(200, 160, 120))
    for x in (350, 400, 450):
        draw.arc(_at(x - 20, 90, x + 20, 150), 90, 270, fill=(160, 170, 178), width=6 * SCALE)
        draw.arc(_at(x - 20, 140, x + 20, 200), 270, 90, fill=(160, 170, 178), width=6 * SCALE)
    return image


def _lacquer() -> Image.Image:
    image, draw = _canvas((58, 44, 38), (34, 26, 22))
    draw.rectangle(_at(0, 380, 800, 500), fill=(96, 70, 48))
    draw.ellipse(_at(180, 400, 620, 470), fill=(40, 28, 22))
    draw.line(_at(560, 250, 720, 130), fill=(20, 14, 12), width=10 * SCALE)
    draw.line(_at(585, 262, 740, 150), fill=(20, 14, 12), width=10 * SCALE)
    draw.chord(_at(200, 150, 600, 440), 0, 180, fill=(176, 32, 36))
    draw.ellipse(_at(200, 260, 600, 330), fill=(30, 20, 18))
    draw.ellipse(_at(214, 268, 586, 322), fill=(120, 20, 24))
    draw.arc(_at(230, 300, 570, 420), 110, 150, fill=(224, 110, 104), width=8 * SCALE)
    draw.rectangle(_at(340, 420, 460, 440), fill=(150, 26, 30))
    return image


PICTURES = {"wine": _wine, "juice": _juice, "coffee": _coffee, "lacquer": _lacquer}


def _png(image: Image.Image) -> bytes:
    """The picture as an administrator would upload it: the perks' service re-encodes it."""
    out = io.BytesIO()
    image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS).save(out, "PNG")
    return out.getvalue()
