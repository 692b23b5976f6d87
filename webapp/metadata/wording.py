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
