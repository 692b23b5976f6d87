"""The components of templates/_ui.html, drawn as a page would draw them."""

from __future__ import annotations

from decimal import Decimal

from flask import render_template_string


def draw(app, source: str) -> str:
    with app.test_request_context("/"):
        return render_template_string('{% import "_ui.html" as ui with context %}' + source)


def test_a_disabled_button_cannot_be_pressed_and_keeps_its_words(app):
    html = draw(app, '{{ ui.button("あと 20 トークン必要です", href="/x", disabled=True) }}')
    assert "<button" in html and " disabled" in html and 'href="/x"' not in html
    assert "あと 20 トークン必要です" in html


def test_a_button_with_a_place_to_go_is_a_link(app):
    html = draw(app, '{{ ui.button("使う", href="/perks/1", kind="primary") }}')
    assert '<a class="button button-primary" href="/perks/1"' in html


def test_an_empty_state_has_a_picture_one_sentence_and_one_action(app):
    html = draw(app, '{{ ui.empty_state("inbox", "まだありません。", "さがす", "/perks") }}')
    assert html.count("<svg") == 1 and html.count("<p") == 1 and html.count("<a ") == 1
    assert "#i-inbox" in html


def test_a_card_holds_what_it_is_called_with(app):
    html = draw(app, '{% call ui.card("残高", id="b") %}<p>10</p>{% endcall %}')
    assert '<section class="card" aria-labelledby="b">' in html and '<h2 id="b">残高</h2>' in html
    assert "<p>10</p>" in html


def test_a_chip_says_its_state_in_words(app):
    assert '<span class="chip chip-ok">記録済み</span>' in draw(
        app, '{{ ui.chip("記録済み", "ok") }}'
    )


def test_amounts_are_named_in_the_communitys_coin_name_in_each_language(app):
    assert draw(app, "{{ 1200|coins }}") == "1,200 えんコイン"
    app.config["COIN_NAME"] = {"ja": "ぶどうコイン", "en": "Grape coins"}
    with app.test_request_context("/"):
        from flask import session
        from flask_babel import refresh

        session["lang"] = "en"
        refresh()  # the locale is kept for the app context, which the fixture holds open
        assert render_template_string("{{ 40|coins }} / {{ coin_name() }}") == (
            "40 Grape coins / Grape coins"
        )


def test_a_badge_tile_is_one_link_around_its_artwork_title_and_date(app):
    html = draw(
        app,
        '{{ ui.badge_tile("/wallet/badges/3", "/badges/3.png", "大掃除", detail="11月2日",'
        ' status=ui.chip("反映中", "wait"), image_small="/badges/3.png?w=300") }}',
    )
    assert html.count("<a ") == 1 and '<a class="badge-tile-link" href="/wallet/badges/3"' in html
    assert 'src="/badges/3.png?w=300"' in html and 'srcset="/badges/3.png?w=300 300w' in html
    assert 'alt=""' in html  # the title beside it says what it is
    assert ">大掃除<" in html and ">11月2日<" in html and "chip-wait" in html
    plain = draw(app, '{{ ui.badge_tile("/b", "/b.png", "大掃除") }}')
    assert "srcset" not in plain and "chip" not in plain


def test_an_empty_state_among_others_can_offer_a_quieter_action(app):
    html = draw(app, '{{ ui.empty_state("inbox", "まだです。", "さがす", "/x", kind="quiet") }}')
    assert '<a class="button button-quiet" href="/x"' in html


def test_figures_are_grouped_and_an_ether_balance_is_short(app):
    assert draw(app, "{{ 1234567|number }}") == "1,234,567"
    with app.test_request_context("/"):
        balance = Decimal("0.980000000000000001")  # 18 decimals, as the chain gives it
        assert render_template_string("{{ b|number(4) }} ETH", b=balance) == "0.98 ETH"
