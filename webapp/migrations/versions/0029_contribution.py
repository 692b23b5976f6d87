"""contribution made visible: where members live (with its history), opt-in profiles and
their tags, the monthly summary the worker keeps, and the community's settings; indexes for
summing a month of attendances, rewards, used tickets and new members

Revision ID: 0029
Revises: 0028
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "residences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "area IN ('city', 'prefecture', 'outside', 'unknown')", name=op.f("ck_residences_area")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_residences_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_residences")),
    )
    op.create_index("ix_residences_user_since", "residences", ["user_id", "since"])
    op.create_table(
        "profiles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("introduction", sa.Text(), server_default="", nullable=False),
        sa.Column("visibility", sa.String(length=16), server_default="private", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "visibility IN ('private', 'members', 'public')", name=op.f("ck_profiles_visibility")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_profiles_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_profiles")),
    )
    op.create_index(op.f("ix_profiles_visibility"), "profiles", ["visibility"])
    op.create_table(
        "profile_tags",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("tag", sa.String(length=30), nullable=False),
        sa.CheckConstraint("kind IN ('skill', 'interest')", name=op.f("ck_profile_tags_kind")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_profile_tags_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", "tag", name=op.f("pk_profile_tags")),
    )
    op.create_index("ix_profile_tags_kind_tag", "profile_tags", ["kind", "tag"])
    op.create_table(
        "activity_months",
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("checkins", sa.Integer(), nullable=False),
        sa.Column("coins_earned", sa.Integer(), nullable=False),
        sa.Column("coins_spent", sa.Integer(), nullable=False),
        sa.Column("perks_used", sa.Integer(), nullable=False),
        sa.Column("joined", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_activity_months_user_id_users")
        ),
        sa.PrimaryKeyConstraint("month", "user_id", name=op.f("pk_activity_months")),
    )
    op.create_index("ix_activity_months_user_month", "activity_months", ["user_id", "month"])
    op.create_table(
        "shop_months",
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("perks_used", sa.Integer(), nullable=False),
        sa.Column("coins_spent", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_shop_months_partner_id_partners")
        ),
        sa.PrimaryKeyConstraint("month", "partner_id", "area", name=op.f("pk_shop_months")),
    )
    op.create_table(
        "summary_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_summary_state")),
    )
    op.create_table(
        "community_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_page", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_community_settings_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_settings")),
    )
    op.create_index("ix_attendances_checked_in_at", "attendances", ["checked_in_at"])
    op.create_index("ix_ledger_entries_created_at", "ledger_entries", ["created_at"])
    op.create_index("ix_redemptions_used_at", "redemptions", ["used_at"])
    op.create_index("ix_users_joined_at", "users", ["joined_at"])


def downgrade():
    op.drop_index("ix_users_joined_at", table_name="users")
    op.drop_index("ix_redemptions_used_at", table_name="redemptions")
    op.drop_index("ix_ledger_entries_created_at", table_name="ledger_entries")
    op.drop_index("ix_attendances_checked_in_at", table_name="attendances")
    op.drop_table("community_settings")
    op.drop_table("summary_state")
    op.drop_table("shop_months")
    op.drop_index("ix_activity_months_user_month", table_name="activity_months")
    op.drop_table("activity_months")
    op.drop_index("ix_profile_tags_kind_tag", table_name="profile_tags")
    op.drop_table("profile_tags")
    op.drop_index(op.f("ix_profiles_visibility"), table_name="profiles")
    op.drop_table("profiles")
    op.drop_index("ix_residences_user_since", table_name="residences")
    op.drop_table("residences")
