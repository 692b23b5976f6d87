"""card revocations: a chain job that burns a revoked member's card, and cancelled jobs (a
card revoked before its job was sent)

Revision ID: 0018
Revises: 0017
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("chain_jobs") as batch_op:
        batch_op.drop_constraint(op.f("ck_chain_jobs_kind"), type_="check")
        batch_op.create_check_constraint(
            "kind", "kind IN ('award', 'issue_card', 'redeem', 'revoke_card')"
        )
        batch_op.drop_constraint(op.f("ck_chain_jobs_status"), type_="check")
        batch_op.create_check_constraint(
            "status", "status IN ('pending', 'sent', 'confirmed', 'failed', 'held', 'cancelled')"
        )


def downgrade():
    raise NotImplementedError("revoked cards cannot be undone without losing their burns")
