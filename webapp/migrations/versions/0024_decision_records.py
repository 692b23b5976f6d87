"""decision records: a chain job that writes a proposal's final tally and the digest of its
ballots on chain (a job with no member), and where the decision record contract lives

Revision ID: 0024
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("chain_jobs") as batch_op:
        batch_op.add_column(sa.Column("proposal_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("tally", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("digest", sa.String(length=66), nullable=True))
        batch_op.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("address", existing_type=sa.String(length=42), nullable=True)
        batch_op.create_index(op.f("ix_chain_jobs_proposal_id"), ["proposal_id"], unique=True)
        batch_op.drop_constraint(op.f("ck_chain_jobs_kind"), type_="check")
        batch_op.create_check_constraint(
            "kind",
            "kind IN ('award', 'issue_card', 'redeem', 'revoke_card', 'record_decision')",
        )
        batch_op.create_check_constraint(
            "recipient",
            "kind = 'record_decision' OR (user_id IS NOT NULL AND address IS NOT NULL)",
        )
        batch_op.create_check_constraint(
            "decision",
            "kind <> 'record_decision' OR (proposal_id IS NOT NULL AND tally IS NOT NULL"
            " AND digest IS NOT NULL)",
        )
    with op.batch_alter_table("deployments") as batch_op:
        batch_op.add_column(sa.Column("decision_address", sa.String(length=42), nullable=True))


def downgrade():
    raise NotImplementedError("recorded decisions cannot be undone without losing their jobs")
