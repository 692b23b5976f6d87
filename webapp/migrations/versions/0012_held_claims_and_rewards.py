"""held claims and rewards: late display-code claims wait for the organiser, large rewards for
an administrator; events state their reward budget

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.add_column(sa.Column("budget", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("hold_late_claims", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("reward_approved_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("reward_approved_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_events_reward_approved_by_id_users"), "users", ["reward_approved_by_id"], ["id"]
        )
        batch_op.create_check_constraint("budget", "budget IS NULL OR budget >= 0")
    # Events with a secret word already ask for one on the poster: their late display-code
    # claims are held too, as for new ones.
    op.execute("UPDATE events SET hold_late_claims = secret_word IS NOT NULL")
    with op.batch_alter_table("claims") as batch_op:
        batch_op.drop_constraint(op.f("ck_claims_status"), type_="check")
        batch_op.create_check_constraint(
            "status", "status IN ('accepted', 'duplicate', 'rejected', 'held')"
        )
    with op.batch_alter_table("chain_jobs") as batch_op:
        batch_op.drop_constraint(op.f("ck_chain_jobs_status"), type_="check")
        batch_op.create_check_constraint(
            "status", "status IN ('pending', 'sent', 'confirmed', 'failed', 'held')"
        )


def downgrade():
    op.execute("UPDATE chain_jobs SET status = 'pending' WHERE status = 'held'")
    with op.batch_alter_table("chain_jobs") as batch_op:
        batch_op.drop_constraint(op.f("ck_chain_jobs_status"), type_="check")
        batch_op.create_check_constraint(
            "status", "status IN ('pending', 'sent', 'confirmed', 'failed')"
        )
    op.execute("UPDATE claims SET status = 'rejected' WHERE status = 'held'")
    with op.batch_alter_table("claims") as batch_op:
        batch_op.drop_constraint(op.f("ck_claims_status"), type_="check")
        batch_op.create_check_constraint(
            "status", "status IN ('accepted', 'duplicate', 'rejected')"
        )
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_constraint(op.f("ck_events_budget"), type_="check")
        batch_op.drop_constraint(op.f("fk_events_reward_approved_by_id_users"), type_="foreignkey")
        batch_op.drop_column("reward_approved_by_id")
        batch_op.drop_column("reward_approved_at")
        batch_op.drop_column("hold_late_claims")
        batch_op.drop_column("budget")
