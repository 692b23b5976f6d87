"""Demo data for a first start: three logins, one open event and a few perks."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from chain.wallets import PublicKeyring
from webapp.accounts.models import Role
from webapp.accounts.services import create_user
from webapp.events.services import create_event
from webapp.membership.services import issue_membership
from webapp.perks.services import add_staff, create_partner, create_perk

DEMO_PASSWORD = "demo-password"
DEMO_LOGINS = (
    ("admin@example.org", "管理者 デモ", Role.ADMIN),
    ("organiser@example.org", "主催者 デモ", Role.ORGANISER),
    ("member@example.org", "塩尻 花子", Role.MEMBER),
    ("shop@example.org", "ワイナリー スタッフ", Role.MEMBER),
)
# Who works where: the shop login confirms the winery's tickets at /partner.
DEMO_STAFF = {"塩尻ワイナリー": "shop@example.org"}


def load_demo_data(session: Session, keyring: PublicKeyring, now: datetime) -> None:
    users = {
        email: create_user(
            session, keyring, email=email, password=DEMO_PASSWORD, display_name=name, role=role
        )
        for email, name, role in DEMO_LOGINS
    }
    for email, user in users.items():
        if email != "shop@example.org":
            issue_membership(session, user)
    create_event(
        session,
        users["organiser@example.org"],
        title="塩尻ラボ 交流会",
        venue="えんぱーく 3階",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=30),
        reward=10,
        description="デモ用のイベントです。",
    )
    for title_ja, title_en, (shop, place), price, stock in (
        ("ワイナリーでグラスワイン1杯", "A glass at the winery",
         ("塩尻ワイナリー", "塩尻市洗馬"), 30, None),
        ("カフェのコーヒー1杯", "A coffee at the café", ("大門カフェ", "塩尻市大門"), 10, None),
        ("木曽漆器ワークショップ参加", "A seat at the lacquerware workshop",
         ("木曽平沢工房", "塩尻市木曽平沢"), 50, 8),
    ):  # fmt: skip
        partner = create_partner(session, name_ja=shop, place=place)
        if shop in DEMO_STAFF:
            add_staff(session, partner, DEMO_STAFF[shop])
        create_perk(
            session, partner, title_ja=title_ja, title_en=title_en, price=price, stock=stock
        )
