"""co-organisers: more organisers for one event

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "event_organisers",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_organisers_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_event_organisers_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_event_organisers_added_by_id_users")
        ),
        sa.PrimaryKeyConstraint("event_id", "user_id", name=op.f("pk_event_organisers")),
    )
    op.create_index(
        op.f("ix_event_organisers_user_id"), "event_organisers", ["user_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_event_organisers_user_id"), table_name="event_organisers")
    op.drop_table("event_organisers")
