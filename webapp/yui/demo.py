"""The demo's 結い board: a few posts and a conversation, so that the board looks lived in on
a first start. 大門 さくら asks for snow clearing with coins as thanks (held from her coins) and
the demo member has answered; 広丘 翔 offers help with smartphones; 奈良井 健太 lends a mower;
the organiser has posted for 洗馬 トメ, who has no phone."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from webapp.accounts.models import User
from webapp.yui.services import PostDraft, answer_post, create_post, post_message

# Whom each post is for, who wrote it, how long ago (hours), and the post.
POSTS = (
    ("daimon@example.org", "daimon@example.org", 50, PostDraft(
        kind="request", category="snow", area="daimon", title="玄関前と駐車場の雪かき",
        body="大雪の翌朝、玄関前と駐車場の雪かきを手伝ってくださる方を探しています。"
             "スコップはこちらにあります。",
        when_text="雪が積もった日の朝", coins=30,
    )),
    ("hirooka@example.org", "hirooka@example.org", 120, PostDraft(
        kind="offer", category="smartphone", area="hirooka", title="スマホの使い方、教えます",
        body="LINE の使い方、写真の送り方、文字を大きくする設定など、なんでもどうぞ。",
        when_text="毎月第2土曜の午後",
    )),
    ("organiser2@example.org", "organiser2@example.org", 80, PostDraft(
        kind="offer", category="tools", area="narakawa", title="草刈り機を貸します",
        body="肩かけ式の草刈り機です。使い方もお教えします。", when_text="春から秋まで",
    )),
    ("seba@example.org", "organiser@example.org", 20, PostDraft(
        kind="request", category="shopping", area="seba", title="週に一度の買い物の付き添い",
        body="足が悪く、重いものを持つのがたいへんです。近くのスーパーまで一緒に行って"
             "くださる方を探しています。",
        when_text="毎週木曜の午前",
    )),
)  # fmt: skip


def load_demo_board(session: Session, people: dict[str, User], now: datetime) -> None:
    posts = {}
    for person, author, hours_ago, draft in POSTS:
        posts[draft.title] = create_post(
            session, draft, author=people[author], for_user=people[person],
            now=now - timedelta(hours=hours_ago),
        )  # fmt: skip
    snow = posts["玄関前と駐車場の雪かき"]
    hanako, sakura = people["member@example.org"], people["daimon@example.org"]
    thread = answer_post(
        session, snow, hanako, "家が近いので、朝7時ごろなら行けます。", now - timedelta(hours=30)
    )
    post_message(
        session, thread, sakura, "助かります！積もったら、ここで声をかけますね。",
        now - timedelta(hours=29),
    )  # fmt: skip
