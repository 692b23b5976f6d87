"""discord: the community's Discord application and its members' connections (Linked Roles)

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "discord_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=32), nullable=False),
        sa.Column("client_secret", sa.Text(), nullable=False),
        sa.Column("bot_token", sa.Text(), nullable=False),
        sa.Column("guild_id", sa.String(length=32), nullable=False),
        sa.Column("metadata_registered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discord_settings")),
    )
    op.create_table(
        "discord_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("discord_user_id", sa.String(length=32), nullable=False),
        sa.Column("discord_username", sa.String(length=100), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pushed_metadata", sa.Text(), nullable=True),
        sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("needs_reconnect", sa.Boolean(), nullable=False),
        sa.Column("clearing", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_discord_connections_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discord_connections")),
        sa.UniqueConstraint("user_id", name=op.f("uq_discord_connections_user_id")),
    )
    op.create_index(
        op.f("ix_discord_connections_next_attempt_at"),
        "discord_connections",
        ["next_attempt_at"],
        unique=False,
    )


def downgrade():
    op.drop_index(op.f("ix_discord_connections_next_attempt_at"), table_name="discord_connections")
    op.drop_table("discord_connections")
    op.drop_table("discord_settings")
