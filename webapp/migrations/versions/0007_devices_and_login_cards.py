"""devices and login cards: where each person is logged in, and printed login cards

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_login_cards_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_login_cards_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_cards")),
    )
    op.create_index(op.f("ix_login_cards_user_id"), "login_cards", ["user_id"], unique=False)
    op.create_table(
        "device_sessions",
        sa.Column("id", sa.String(length=43), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("login_card_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["login_card_id"],
            ["login_cards.id"],
            name=op.f("fk_device_sessions_login_card_id_login_cards"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_device_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_sessions")),
    )
    op.create_index(
        op.f("ix_device_sessions_login_card_id"), "device_sessions", ["login_card_id"], unique=False
    )
    op.create_index(op.f("ix_device_sessions_user_id"), "device_sessions", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_device_sessions_user_id"), table_name="device_sessions")
    op.drop_index(op.f("ix_device_sessions_login_card_id"), table_name="device_sessions")
    op.drop_table("device_sessions")
    op.drop_index(op.f("ix_login_cards_user_id"), table_name="login_cards")
    op.drop_table("login_cards")
