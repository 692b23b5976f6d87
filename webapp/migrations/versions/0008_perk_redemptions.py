"""perk redemptions: partners and their staff, perk rules, tickets, burns

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_ja", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
    )
    op.create_table(
        "partner_staff",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_partner_staff_partner_id_partners")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_partner_staff_user_id_users")
        ),
        sa.PrimaryKeyConstraint("partner_id", "user_id", name=op.f("pk_partner_staff")),
    )
    op.create_index(op.f("ix_partner_staff_user_id"), "partner_staff", ["user_id"], unique=False)

    # Each perk's partner, until now a name on the perk, becomes a partner of its own.
    with op.batch_alter_table("perks") as batch_op:
        batch_op.add_column(sa.Column("partner_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("stock", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("limit_per_member", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("photo", sa.LargeBinary(), nullable=True))
    connection = op.get_bind()
    names = [
        row[0] for row in connection.execute(sa.text("SELECT DISTINCT partner_name FROM perks"))
    ]
    for name in names:
        connection.execute(
            sa.text(
                "INSERT INTO partners (name_ja, name_en, place, created_at)"
                " VALUES (:name, '', '', CURRENT_TIMESTAMP)"
            ),
            {"name": name},
        )
        connection.execute(
            sa.text(
                "UPDATE perks SET partner_id = (SELECT max(id) FROM partners WHERE name_ja = :name)"
                " WHERE partner_name = :name"
            ),
            {"name": name},
        )
    with op.batch_alter_table("perks") as batch_op:
        batch_op.alter_column("partner_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("partner_name")
        batch_op.create_foreign_key(
            op.f("fk_perks_partner_id_partners"), "partners", ["partner_id"], ["id"]
        )
        batch_op.create_index(op.f("ix_perks_partner_id"), ["partner_id"], unique=False)
        batch_op.create_check_constraint("stock", "stock IS NULL OR stock >= 0")
        batch_op.create_check_constraint(
            "limit", "limit_per_member IS NULL OR limit_per_member > 0"
        )

    op.create_table(
        "redemptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("perk_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("price", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("short_code", sa.String(length=6), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by_id", sa.Integer(), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('held', 'used', 'cancelled', 'expired')", name=op.f("ck_redemptions_status")
        ),
        sa.ForeignKeyConstraint(
            ["perk_id"], ["perks.id"], name=op.f("fk_redemptions_perk_id_perks")
        ),
        sa.ForeignKeyConstraint(
            ["used_by_id"], ["users.id"], name=op.f("fk_redemptions_used_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_redemptions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_redemptions")),
    )
    op.create_index(op.f("ix_redemptions_perk_id"), "redemptions", ["perk_id"], unique=False)
    op.create_index(op.f("ix_redemptions_user_id"), "redemptions", ["user_id"], unique=False)
    op.create_index(
        "ux_redemptions_live_short_code",
        "redemptions",
        ["short_code"],
        unique=True,
        sqlite_where=sa.text("status = 'held'"),
        postgresql_where=sa.text("status = 'held'"),
    )
    op.create_table(
        "code_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_code_attempts_partner_id_partners")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["users.id"], name=op.f("fk_code_attempts_staff_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_attempts")),
    )
    op.create_index(op.f("ix_code_attempts_at"), "code_attempts", ["at"], unique=False)
    op.create_index(
        op.f("ix_code_attempts_partner_id"), "code_attempts", ["partner_id"], unique=False
    )
    op.create_index(op.f("ix_code_attempts_staff_id"), "code_attempts", ["staff_id"], unique=False)

    with op.batch_alter_table("ledger_entries") as batch_op:
        batch_op.add_column(sa.Column("redemption_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_ledger_entries_redemption_id_redemptions"),
            "redemptions",
            ["redemption_id"],
            ["id"],
        )
        batch_op.create_index(
            op.f("ix_ledger_entries_redemption_id"), ["redemption_id"], unique=False
        )
    with op.batch_alter_table("chain_jobs") as batch_op:
        batch_op.add_column(sa.Column("redemption_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_chain_jobs_redemption_id_redemptions"),
            "redemptions",
            ["redemption_id"],
            ["id"],
        )
        batch_op.drop_constraint(op.f("ck_chain_jobs_kind"), type_="check")
        batch_op.create_check_constraint("kind", "kind IN ('award', 'issue_card', 'redeem')")
    # One burn per redemption, whatever a worker does.
    with op.batch_alter_table("chain_jobs") as batch_op:
        batch_op.create_unique_constraint(op.f("uq_chain_jobs_redemption_id"), ["redemption_id"])


def downgrade():
    raise NotImplementedError("perk redemptions cannot be undone without losing tickets")
