"""What a 結い post may say it is about, and where: the categories and the community's districts
(an area, never an address). The codes are stored; the names are shown."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from webapp.yui.models import PostKind

KIND_NAMES = {
    PostKind.REQUEST: _l(
        "Asking for help"
    ),  # 困りごと ("Help wanted" is a project's 手伝ってほしいこと)
    PostKind.OFFER: _l("I can help"),  # できること
}

# Requests and offers share one list: what one neighbour asks, another offers.
CATEGORIES = {
    "snow": _l("Clearing snow"),
    "shopping": _l("Going shopping together"),
    "smartphone": _l("Using a smartphone"),
    "garden": _l("Weeding and mowing"),
    "lift": _l("A lift in a car"),
    "tools": _l("Lending tools"),
    "room": _l("Lending a room"),
    "field": _l("Lending a field"),
    "skill": _l("A skill"),
    "other": _l("Other"),
}

# Shiojiri's districts (地区), in the order the city lists them.
AREAS = {
    "daimon": _l("Daimon"),
    "shiojiri_higashi": _l("Shiojiri-higashi"),
    "kataoka": _l("Kataoka"),
    "hirooka": _l("Hirooka"),
    "takaide": _l("Takaide"),
    "yoshida": _l("Yoshida"),
    "kitaono": _l("Kitaono"),
    "soga": _l("Soga"),
    "seba": _l("Seba"),
    "narakawa": _l("Narakawa"),
    "elsewhere": _l("Elsewhere"),
}
