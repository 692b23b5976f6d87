"""Printed check-in codes: valid while check-in is open, marked as printed, and guarded by the
event's secret word when it has one; the A4 poster that carries them."""

import io
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from webapp.checkin import codes
from webapp.checkin.services import ClaimInput, how_checked_in, list_attendances, record_claim
from webapp.core.db import utcnow

from ...conftest import csrf_token, log_in
from ..pdfs import pdf_qr_codes, pdf_text


def printed(event) -> str:
    return codes.make_printed_token(event.id, event.secret)


def claim(code: str, *, word=None, scanned_at=None, offline=False) -> ClaimInput:
    return ClaimInput(
        id=str(uuid.uuid4()),
        code=code,
        scanned_at=scanned_at or utcnow(),
        offline=offline,
        word=word,
    )


def answer(session, member, event_code: str, *, now=None, **kwargs):
    result = record_claim(
        session, member, claim(event_code, **kwargs), now=now or utcnow(), source="api"
    )
    session.commit()
    return result


def test_a_printed_code_checks_in_while_check_in_is_open_and_is_marked_printed(
    session, member, make_event
):
    event = make_event()
    result = answer(session, member, printed(event))
    assert result.status == "accepted"
    attendance = event_attendance(session, event)
    assert attendance.claim.via == "printed" and how_checked_in(attendance) == "printed"


def event_attendance(session, event):
    from webapp.checkin.services import list_attendances

    return list_attendances(session, event)[0]


@pytest.mark.parametrize(
    ("start_in", "end_in", "reason"),
    [
        (timedelta(hours=2), timedelta(hours=4), "not_yet_open"),
        (-timedelta(hours=4), -timedelta(hours=1), "expired"),
    ],
)
def test_a_printed_code_outside_the_event_window_is_refused(
    session, member, make_event, start_in, end_in, reason
):
    now = utcnow()
    event = make_event(starts_at=now + start_in, ends_at=now + end_in)
    assert answer(session, member, printed(event)).reason == reason


def test_a_printed_code_scanned_with_no_signal_counts_when_sent_after_the_event(
    session, member, make_event
):
    now = utcnow()
    event = make_event(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1))
    scanned = now - timedelta(hours=2)
    result = answer(session, member, printed(event), scanned_at=scanned, offline=True)
    assert (result.status, result.offline) == ("accepted", True)
    # The organiser sees that this poster check-in was sent later (a poster's code proves no time).
    [attendance] = list_attendances(session, event)
    assert how_checked_in(attendance) == "printed_offline"


def test_a_printed_code_sent_after_the_offline_limit_is_refused(session, member, make_event):
    now = utcnow()
    event = make_event(
        starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=2), offline_claim_days=1
    )
    scanned = now - timedelta(days=2, hours=12)
    assert (
        answer(session, member, printed(event), scanned_at=scanned, offline=True).reason
        == "too_late"
    )


@pytest.mark.parametrize(
    ("typed", "status", "reason"),
    [
        (None, "rejected", "word_needed"),
        ("ぶどう", "rejected", "wrong_word"),
        ("ワイン", "accepted", None),
        (" わいん ", "accepted", None),  # hiragana for katakana, spaces around
        ("ﾜｲﾝ", "accepted", None),  # half-width katakana
    ],
)
def test_the_secret_word_is_needed_and_forgiving_of_how_it_is_typed(
    session, member, make_event, typed, status, reason
):
    event = make_event(secret_word="ワイン")
    result = answer(session, member, printed(event), word=typed)
    assert (result.status, result.reason) == (status, reason)


def test_guessing_the_secret_word_is_stopped(session, member, make_event):
    from webapp.checkin.decide import MAX_WRONG_WORDS

    event = make_event(secret_word="ワイン")
    for guess in range(MAX_WRONG_WORDS):
        assert answer(session, member, printed(event), word=f"guess{guess}").reason == "wrong_word"
    right = answer(session, member, printed(event), word="ワイン")
    assert (right.status, right.reason) == ("rejected", "too_many_words")


def test_the_rotating_code_needs_no_secret_word(session, member, make_event):
    from .scans import code_for

    event = make_event(secret_word="ワイン")
    assert answer(session, member, code_for(event)).status == "accepted"


def test_the_link_of_a_printed_code_asks_for_the_word_first(client, member, make_event, app):
    event = make_event(secret_word="ワイン")
    log_in(client, member.email)
    page = client.get(f"/c/{printed(event)}")
    assert page.status_code == 200 and "合言葉" in page.get_data(as_text=True)
    data = {"csrf_token": csrf_token(client, f"/c/{printed(event)}"), "word": "わいん"}
    done = client.post(f"/c/{printed(event)}", data=data)
    assert done.status_code == 200
    assert "チェックインしました" in done.get_data(as_text=True)


def test_the_api_takes_the_word_with_the_claim(client, member, make_event):
    event = make_event(secret_word="ワイン")
    log_in(client, member.email)
    headers = {"X-CSRFToken": csrf_token(client, "/wallet")}
    body = {
        "claims": [
            {
                "id": str(uuid.uuid4()),
                "code": printed(event),
                "scanned_at": utcnow().isoformat(),
                "word": "ワイン",
            }
        ]
    }
    response = client.post("/api/v1/checkins", json=body, headers=headers)
    assert response.get_json()["results"][0]["status"] == "accepted"
    body["claims"][0]["word"] = 42
    assert client.post("/api/v1/checkins", json=body, headers=headers).status_code == 400


@pytest.fixture
def poster(client, organiser, make_event):
    event = make_event(title="塩尻ワイン講座 秋の会", venue="えんぱーく 3階", secret_word="ぶどう")
    log_in(client, organiser.email)
    response = client.get(f"/events/{event.id}/poster.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return event, response.get_data()


def test_the_poster_is_searchable_japanese_text_in_an_embedded_font(poster):
    event, pdf = poster
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = pdf_text(pdf)
    assert "塩尻ワイン講座秋の会" in text and "えんぱーく3階" in text
    assert "カメラ" in text and "合言葉" in text
    assert "ぶどう" not in text  # the word itself is said aloud, never printed
    fonts = reader.pages[0]["/Resources"]["/Font"]
    descendants = [font.get_object()["/DescendantFonts"][0].get_object() for font in fonts.values()]
    assert (
        len(descendants) == 1 and "NotoSansCJKJP" in descendants[0]["/BaseFont"]
    )  # a subset of it
    embedded = descendants[0]["/FontDescriptor"].get_object()
    assert {"/FontFile2", "/FontFile3"} & set(embedded)  # the glyphs travel with the file


def test_the_posters_qr_code_decodes_to_a_code_the_server_accepts(poster, session, member, client):
    event, pdf = poster
    [url] = pdf_qr_codes(pdf)
    assert url.startswith("http://localhost/c/")
    assert url in pdf_text(pdf)  # the link is written out under the code
    result = answer(session, member, url, word="ぶどう")
    assert result.status == "accepted" and result.event.id == event.id


def switch_to_english(client) -> None:
    """The organiser's own screens in English, as the language switch leaves them."""
    token = csrf_token(client, "/events")
    client.post("/lang", data={"lang": "en", "next": "/events", "csrf_token": token})
    assert '<html lang="en"' in client.get("/events").get_data(as_text=True)


def test_the_poster_is_in_japanese_even_for_an_organiser_reading_english(
    client, organiser, make_event
):
    tokyo = timezone(timedelta(hours=9))
    event = make_event(
        starts_at=datetime(2026, 11, 29, 10, 0, tzinfo=tokyo),
        ends_at=datetime(2026, 11, 29, 12, 0, tzinfo=tokyo),
        secret_word="ぶどう",
    )
    log_in(client, organiser.email)
    switch_to_english(client)
    text = pdf_text(client.get(f"/events/{event.id}/poster.pdf").get_data())
    assert "1.スマホのカメラを、このQRコードに向けます。" in text
    assert "「チェックインしました」と出たら完了です。" in text
    assert "合言葉" in text
    assert "2026/11/29(日)10:00–12:00" in text
    assert "camera" not in text and "Sun" not in text


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "printed_when"),
    [
        # one day in Japan, though it starts on the day before in UTC
        ((11, 29, 8), (11, 29, 12), "2026/11/29(日)08:00–12:00"),
        # a weekend camp: both days are printed
        ((11, 28, 10), (11, 29, 16), "2026/11/28(土)10:00–2026/11/29(日)16:00"),
    ],
)
def test_the_poster_prints_the_date_and_both_dates_of_an_event_over_several_days(
    client, organiser, make_event, starts_at, ends_at, printed_when
):
    tokyo = timezone(timedelta(hours=9))
    event = make_event(
        starts_at=datetime(2026, *starts_at, 0, tzinfo=tokyo),
        ends_at=datetime(2026, *ends_at, 0, tzinfo=tokyo),
    )
    log_in(client, organiser.email)
    text = pdf_text(client.get(f"/events/{event.id}/poster.pdf").get_data())
    assert printed_when in text
