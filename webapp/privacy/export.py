"""Everything Enishi holds about one person, for them to download: one ZIP with `data.json`
(everything) and a CSV file per kind (UTF-8 with a BOM, so that Excel reads the Japanese).
Secrets never leave: no password hash, no login card or invitation secret, no ticket code.
Nothing of anyone else either, beyond the name of the person who acted on their account (an
audit entry's "by") or with them (whom they thanked or were thanked by, whom they helped or were
helped by, who posted on the 結い board for them)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.accounts.models import AuditEntry, DeviceSession, Invitation, LoginCard, User
from webapp.accounts.passkeys import list_passkeys
from webapp.checkin.models import Attendance, Claim, Rsvp
from webapp.core.spreadsheet import csv_bytes
from webapp.decisions.models import Ballot
from webapp.discord.services import exported_connection
from webapp.events.models import Event
from webapp.ledger.models import LedgerEntry
from webapp.membership.models import Membership
from webapp.membership.services import member_state
from webapp.onchain.models import ChainJob
from webapp.perks.models import Redemption
from webapp.profiles.models import Profile, ProfileTag, Residence
from webapp.thanks.models import Thanks
from webapp.yui.models import YuiConfirmation, YuiMessage, YuiPost, YuiThread

# The kinds, in the order of the files, and each one's columns: a CSV each (with its header
# even when empty), and a key of data.json each.
COLUMNS = {
    "account": ["id", "name", "email", "has_password", "role", "cohort", "created_at",
                "joined_at", "closed_at", "wallet_address", "text_size"],
    "devices": ["device", "logged_in_at", "last_seen_at", "ended_at", "with_login_card"],
    "login_cards": ["printed_at", "stopped_at"],
    "passkeys": ["name", "added_at", "last_used_at"],
    "membership": ["state", "first_issued_at", "issued_at", "term_ends_at", "revoked_at"],
    "checkins": ["event", "scanned_at", "received_at", "answer", "reason", "how", "offline"],
    "badges": ["event", "event_starts_at", "checked_in_at", "badge_recorded_on_chain"],
    "rsvps": ["event", "event_starts_at", "status", "replied_at", "status_since"],
    "coins": ["at", "amount", "kind", "chain"],
    "perk_tickets": ["perk", "perk_en", "price", "state", "made_at", "expires_at", "used_at",
                     "ended_at"],
    "audit": ["at", "action", "by", "detail"],
    "invitations": ["made_at", "expires_at", "emailed_at", "used_at", "stopped_at"],
    "discord": ["discord_name", "connected_at", "is_member", "member_since", "badges",
                "projects", "last_sent_at"],
    "votes": ["proposal", "option", "via", "cast_at", "changed_at"],
    "profile": ["introduction", "visibility", "updated_at"],
    "profile_tags": ["kind", "tag"],
    "residences": ["area", "since"],
    "thanks_given": ["at", "to", "points", "message", "via"],
    "thanks_received": ["at", "from", "points", "message"],
    "yui_posts": ["kind", "category", "area", "title", "body", "when", "coins", "posted_at",
                  "posted_by", "closed_at", "hidden_at", "hidden_reason"],
    "yui_messages": ["post", "at", "message"],
    "yui_helps": ["post", "role", "with", "coins", "scanned_at", "confirmed_at"],
}  # fmt: skip
KINDS = tuple(COLUMNS)

Rows = list[dict[str, object]]


def collect_personal_data(session: Session, user: User, now: datetime) -> dict[str, Rows]:
    """Each kind's rows for `user`, oldest first, each a dict of plain values."""
    return {
        "account": _account(user),
        "devices": _devices(session, user),
        "login_cards": _login_cards(session, user),
        "passkeys": _passkeys(session, user),
        "membership": _membership(session, user, now),
        "checkins": _checkins(session, user),
        "badges": _badges(session, user),
        "rsvps": _rsvps(session, user),
        "coins": _coins(session, user),
        "perk_tickets": _perk_tickets(session, user),
        "audit": _audit(session, user),
        "invitations": _invitations(session, user),
        "discord": exported_connection(session, user),  # never its tokens
        "votes": _votes(session, user),
        "profile": _profile(session, user),
        "profile_tags": _profile_tags(session, user),
        "residences": _residences(session, user),
        "thanks_given": _thanks_given(session, user),
        "thanks_received": _thanks_received(session, user),
        "yui_posts": _yui_posts(session, user),
        "yui_messages": _yui_messages(session, user),
        "yui_helps": _yui_helps(session, user),
    }


def personal_data_zip(data: dict[str, Rows], made_at: datetime) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        document = {"made_at": _plain(made_at), **data}
        archive.writestr(
            "data.json", json.dumps(document, ensure_ascii=False, indent=2, default=_plain)
        )
        for kind in KINDS:
            rows = ([_plain(row[c]) for c in COLUMNS[kind]] for row in data[kind])
            archive.writestr(f"{kind}.csv", csv_bytes(COLUMNS[kind], rows))
    return buffer.getvalue()


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _all(session: Session, query) -> list:
    return list(session.scalars(query))


def _account(user: User) -> Rows:
    return [
        {
            "id": user.id,
            "name": user.display_name,
            "email": user.email,
            "has_password": user.password_hash is not None,
            "role": user.role,
            "cohort": user.cohort,
            "created_at": user.created_at,
            "joined_at": user.joined_at,
            "closed_at": user.closed_at,
            "wallet_address": user.address,
            "text_size": user.text_size,
        }
    ]


def _devices(session: Session, user: User) -> Rows:
    query = (
        select(DeviceSession)
        .where(DeviceSession.user_id == user.id)
        .order_by(DeviceSession.created_at)
    )
    return [
        {
            "device": device.label,
            "logged_in_at": device.created_at,
            "last_seen_at": device.last_seen_at,
            "ended_at": device.ended_at,
            "with_login_card": device.login_card_id is not None,
        }
        for device in _all(session, query)
    ]


def _login_cards(session: Session, user: User) -> Rows:
    query = select(LoginCard).where(LoginCard.user_id == user.id).order_by(LoginCard.id)
    return [
        {"printed_at": card.created_at, "stopped_at": card.revoked_at}
        for card in _all(session, query)
    ]


def _passkeys(session: Session, user: User) -> Rows:
    """What the person sees on マイページ; never the key itself."""
    return [
        {"name": key.name, "added_at": key.created_at, "last_used_at": key.last_used_at}
        for key in list_passkeys(session, user)
    ]


def _membership(session: Session, user: User, now: datetime) -> Rows:
    query = select(Membership).where(Membership.user_id == user.id)
    return [
        {
            "state": member_state(user, membership, now).value,
            "first_issued_at": membership.first_issued_at,
            "issued_at": membership.issued_at,
            "term_ends_at": membership.term_ends_at,
            "revoked_at": membership.revoked_at,
        }
        for membership in _all(session, query)
    ]


def _checkins(session: Session, user: User) -> Rows:
    """Every check-in as the phone (or an organiser) reported it, whatever its answer."""
    query = select(Claim).where(Claim.user_id == user.id).order_by(Claim.received_at)
    return [
        {
            "event": claim.event.title if claim.event else None,
            "scanned_at": claim.scanned_at,
            "received_at": claim.received_at,
            "answer": claim.status,
            "reason": claim.reason,
            "how": claim.via,
            "offline": claim.offline,
        }
        for claim in _all(session, query)
    ]


def _badges(session: Session, user: User) -> Rows:
    """Each event attended: its badge, and whether the chain has recorded it."""
    query = (
        select(Attendance).where(Attendance.user_id == user.id).order_by(Attendance.checked_in_at)
    )
    return [
        {
            "event": attendance.event.title,
            "event_starts_at": attendance.event.starts_at,
            "checked_in_at": attendance.checked_in_at,
            "badge_recorded_on_chain": attendance.chain_job.on_chain,
        }
        for attendance in _all(session, query)
    ]


def _rsvps(session: Session, user: User) -> Rows:
    """Their replies to events' invitations: going, waiting or cancelled, and since when."""
    query = (
        select(Rsvp, Event.title, Event.starts_at)
        .join(Event, Event.id == Rsvp.event_id)
        .where(Rsvp.user_id == user.id)
        .order_by(Rsvp.created_at, Rsvp.id)
    )
    return [
        {
            "event": title,
            "event_starts_at": starts_at,
            "status": rsvp.status,
            "replied_at": rsvp.created_at,
            "status_since": rsvp.updated_at,
        }
        for rsvp, title, starts_at in session.execute(query)
    ]


def _coins(session: Session, user: User) -> Rows:
    query = (
        select(LedgerEntry, ChainJob.status)
        .outerjoin(ChainJob, ChainJob.id == LedgerEntry.chain_job_id)
        .where(LedgerEntry.user_id == user.id)
        .order_by(LedgerEntry.created_at, LedgerEntry.id)
    )
    return [
        {
            "at": entry.created_at,
            "amount": entry.amount,
            "kind": entry.kind,
            "chain": status,
        }
        for entry, status in session.execute(query)
    ]


def _perk_tickets(session: Session, user: User) -> Rows:
    query = select(Redemption).where(Redemption.user_id == user.id).order_by(Redemption.id)
    return [
        {
            "perk": ticket.perk.title_ja,
            "perk_en": ticket.perk.title_en,
            "price": ticket.price,
            "state": ticket.status,
            "made_at": ticket.created_at,
            "expires_at": ticket.expires_at,
            "used_at": ticket.used_at,
            "ended_at": ticket.ended_at,
        }
        for ticket in _all(session, query)
    ]


def _audit(session: Session, user: User) -> Rows:
    query = select(AuditEntry).where(AuditEntry.subject_id == user.id).order_by(AuditEntry.at)
    return [
        {
            "at": entry.at,
            "action": entry.action,
            "by": entry.actor.display_name if entry.actor_id != user.id else user.display_name,
            "detail": entry.detail,
        }
        for entry in _all(session, query)
    ]


def _invitations(session: Session, user: User) -> Rows:
    query = select(Invitation).where(Invitation.user_id == user.id).order_by(Invitation.id)
    return [
        {
            "made_at": invitation.created_at,
            "expires_at": invitation.expires_at,
            "emailed_at": invitation.emailed_at,
            "used_at": invitation.used_at,
            "stopped_at": invitation.revoked_at,
        }
        for invitation in _all(session, query)
    ]


def _votes(session: Session, user: User) -> Rows:
    """The member's own ballots: what they chose, on their phone or at a meeting."""
    query = select(Ballot).where(Ballot.voter_id == user.id).order_by(Ballot.id)
    return [
        {
            "proposal": ballot.option.proposal.title,
            "option": ballot.option.label,
            "via": ballot.via,
            "cast_at": ballot.cast_at,
            "changed_at": ballot.changed_at,
        }
        for ballot in _all(session, query)
    ]


def _profile(session: Session, user: User) -> Rows:
    """The profile as saved (none: the member never saved one, which is a private one)."""
    profile = session.get(Profile, user.id)
    if profile is None:
        return []
    return [
        {
            "introduction": profile.introduction,
            "visibility": profile.visibility,
            "updated_at": profile.updated_at,
        }
    ]


def _profile_tags(session: Session, user: User) -> Rows:
    query = (
        select(ProfileTag)
        .where(ProfileTag.user_id == user.id)
        .order_by(ProfileTag.kind, ProfileTag.tag)
    )
    return [{"kind": tag.kind, "tag": tag.tag} for tag in _all(session, query)]


def _residences(session: Session, user: User) -> Rows:
    """Where they said they live, each move with its day: the whole history is kept."""
    query = (
        select(Residence)
        .where(Residence.user_id == user.id)
        .order_by(Residence.since, Residence.id)
    )
    return [{"area": row.area, "since": row.since} for row in _all(session, query)]


def _thanks_given(session: Session, user: User) -> Rows:
    query = select(Thanks).where(Thanks.giver_id == user.id).order_by(Thanks.id)
    return [
        {
            "at": thanks.created_at,
            "to": thanks.receiver.display_name,
            "points": thanks.points,
            "message": thanks.message,
            "via": thanks.via,
        }
        for thanks in _all(session, query)
    ]


def _thanks_received(session: Session, user: User) -> Rows:
    query = select(Thanks).where(Thanks.receiver_id == user.id).order_by(Thanks.id)
    return [
        {
            "at": thanks.created_at,
            "from": thanks.giver.display_name,
            "points": thanks.points,
            "message": thanks.message,
        }
        for thanks in _all(session, query)
    ]


def _yui_posts(session: Session, user: User) -> Rows:
    """Posts on the 結い board for them (by them, or by an organiser for them)."""
    query = select(YuiPost).where(YuiPost.for_user_id == user.id).order_by(YuiPost.id)
    return [
        {
            "kind": post.kind,
            "category": post.category,
            "area": post.area,
            "title": post.title,
            "body": post.body,
            "when": post.when_text,
            "coins": post.coins,
            "posted_at": post.created_at,
            "posted_by": post.author.display_name,
            "closed_at": post.closed_at,
            "hidden_at": post.hidden_at,
            "hidden_reason": post.hidden_reason,
        }
        for post in _all(session, query)
    ]


def _yui_messages(session: Session, user: User) -> Rows:
    """The messages they wrote in 結い conversations (not the other person's)."""
    query = (
        select(YuiMessage, YuiPost.title)
        .join(YuiThread, YuiThread.id == YuiMessage.thread_id)
        .join(YuiPost, YuiPost.id == YuiThread.post_id)
        .where(YuiMessage.sender_id == user.id)
        .order_by(YuiMessage.id)
    )
    return [
        {"post": title, "at": message.created_at, "message": message.body}
        for message, title in session.execute(query)
    ]


def _yui_helps(session: Session, user: User) -> Rows:
    """Help confirmed face to face: whom they helped and who helped them."""
    query = (
        select(YuiConfirmation, YuiPost.title)
        .join(YuiThread, YuiThread.id == YuiConfirmation.thread_id)
        .join(YuiPost, YuiPost.id == YuiThread.post_id)
        .where((YuiConfirmation.helper_id == user.id) | (YuiConfirmation.helped_id == user.id))
        .order_by(YuiConfirmation.id)
    )
    rows = []
    for help_, title in session.execute(query):
        helped_them = help_.helper_id == user.id
        other = help_.helped if helped_them else help_.helper
        rows.append(
            {
                "post": title,
                "role": "helper" if helped_them else "helped",
                "with": other.display_name,
                "coins": help_.coins if helped_them else -help_.coins,
                "scanned_at": help_.scanned_at,
                "confirmed_at": help_.confirmed_at,
            }
        )
    return rows
