"""The Japanese wording of the tokens' public metadata and images, all in this one place.

Metadata is read by wallet apps and indexers, not by a person with a language setting, and a
token has one name for everybody: it is Japanese whatever the requester's language, so these
strings are written here rather than taken from the translation catalogues.
"""

from __future__ import annotations

from datetime import date

BADGE = "参加証"
CONTRIBUTION = "貢献"
PROJECT_BADGE = "貢献バッジ"  # the label on a project's contributor badge
CARD = "会員証"
YUI = "結い"
YUI_BADGE = "結いバッジ"  # the label on a 結い's badge
THANKS = "ありがとう"
THANKS_BADGE = "ありがとうバッジ"
CARD_IN_ENGLISH = "MEMBERSHIP CARD"  # under 会員証 on the card
WEEKDAYS = "月火水木金土日"


def long_date(day: date) -> str:
    """2026年11月30日（月）"""
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def badge_description(community: str, title: str) -> str:
    return (
        f"{community}のイベント「{title}」に参加したことを証明する{BADGE}です。"
        "本人だけのもので、譲渡はできません。"
    )


def project_badge_name(title: str) -> str:
    return f"{title} {CONTRIBUTION}"


def project_badge_description(community: str, title: str) -> str:
    return (
        f"{community}のプロジェクト「{title}」に貢献したことを証明する{PROJECT_BADGE}です。"
        "本人だけのもので、譲渡はできません。"
    )


def month_name(month: str) -> str:
    """A month as written in URLs ("2026-11") as the metadata says it: 2026年11月."""
    year, number = month.split("-")
    return f"{int(year)}年{int(number)}月"


def yui_badge_name(category: str) -> str:
    """結い（雪かき）"""
    return f"{YUI}（{category}）"


def yui_badge_description(community: str, category: str, month: str) -> str:
    return (
        f"{community}で{month}に、となり近所の手助け（{category}）をして、または受けて、"
        f"会って確かめ合ったことを証明する{YUI_BADGE}です。本人だけのもので、譲渡はできません。"
    )


def thanks_badge_name(month: str) -> str:
    """ありがとう 2026年11月"""
    return f"{THANKS} {month}"


def thanks_badge_description(community: str, month: str) -> str:
    return (
        f"{community}の仲間から{month}に「{THANKS}」を受け取ったことを証明する{THANKS_BADGE}です。"
        "本人だけのもので、譲渡はできません。"
    )


def card_name(community: str) -> str:
    return f"{community} {CARD}"


def card_description(community: str) -> str:
    return f"{community}の会員であることを示す{CARD}です。本人だけのもので、譲渡はできません。"


# Trait names of the OpenSea-style `attributes`, which many wallets show instead of
# ERC-1155's `properties`.
DATE_TRAIT = "開催日"
VENUE_TRAIT = "会場"
COMMUNITY_TRAIT = "コミュニティ"
MEMBER_SINCE_TRAIT = "入会日"
SINCE_TRAIT = "開始日"
CATEGORY_TRAIT = "手助けの種類"
MONTH_TRAIT = "月"
