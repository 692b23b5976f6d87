"""rules: who an event invites (everyone, members, or a rule), its seats and the RSVPs

Revision ID: 0027
Revises: 0026
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.add_column(
            sa.Column("audience", sa.String(length=16), server_default="members", nullable=False)
        )
        batch_op.add_column(
            sa.Column("rule_card", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("rule_badges", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rule_days", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rule_project_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("capacity", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("rsvp_open", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_events_rule_project_id_projects"),
            "projects",
            ["rule_project_id"],
            ["id"],
        )
        batch_op.create_check_constraint("audience", "audience IN ('everyone', 'members', 'rule')")
        batch_op.create_check_constraint("capacity", "capacity IS NULL OR capacity >= 0")
        batch_op.create_check_constraint(
            "rule_badges",
            "(rule_badges IS NULL) = (rule_days IS NULL) AND "
            "(rule_badges IS NULL OR (rule_badges > 0 AND rule_days > 0))",
        )
    op.create_table(
        "event_required_badges",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("required_event_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_required_badges_event_id_events")
        ),
        sa.ForeignKeyConstraint(
            ["required_event_id"],
            ["events.id"],
            name=op.f("fk_event_required_badges_required_event_id_events"),
        ),
        sa.PrimaryKeyConstraint(
            "event_id", "required_event_id", name=op.f("pk_event_required_badges")
        ),
    )
    op.create_table(
        "rsvps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('going', 'waiting', 'cancelled')", name=op.f("ck_rsvps_status")
        ),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_rsvps_event_id_events")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_rsvps_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rsvps")),
        sa.UniqueConstraint("event_id", "user_id", name=op.f("uq_rsvps_event_id_user_id")),
    )
    op.create_index(op.f("ix_rsvps_event_id"), "rsvps", ["event_id"], unique=False)
    op.create_index(op.f("ix_rsvps_user_id"), "rsvps", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_rsvps_user_id"), table_name="rsvps")
    op.drop_index(op.f("ix_rsvps_event_id"), table_name="rsvps")
    op.drop_table("rsvps")
    op.drop_table("event_required_badges")
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_constraint("ck_events_rule_badges", type_="check")
        batch_op.drop_constraint("ck_events_capacity", type_="check")
        batch_op.drop_constraint("ck_events_audience", type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_events_rule_project_id_projects"), type_="foreignkey"
        )
        batch_op.drop_column("rsvp_open")
        batch_op.drop_column("capacity")
        batch_op.drop_column("rule_project_id")
        batch_op.drop_column("rule_days")
        batch_op.drop_column("rule_badges")
        batch_op.drop_column("rule_card")
        batch_op.drop_column("audience")
