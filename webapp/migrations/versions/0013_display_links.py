"""display links: a venue tablet's own link to an event's code, and the display key's rotations

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    # 0 is the display key every event has had so far: displays open now keep working.
    with op.batch_alter_table("events") as batch_op:
        batch_op.add_column(
            sa.Column("display_key_version", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "display_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_display_links_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_display_links_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["users.id"], name=op.f("fk_display_links_revoked_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_display_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_display_links_token_hash")),
    )
    op.create_index(op.f("ix_display_links_event_id"), "display_links", ["event_id"])


def downgrade():
    op.drop_index(op.f("ix_display_links_event_id"), table_name="display_links")
    op.drop_table("display_links")
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_column("display_key_version")
