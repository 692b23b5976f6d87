"""nonces and failures: nonces chosen under a lock, signed transactions kept for resending,
jobs failed by rule

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "chain_transactions",
        sa.Column("tx_hash", sa.String(length=66), nullable=False),
        sa.Column("nonce", sa.BigInteger(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tx_hash", name=op.f("pk_chain_transactions")),
    )
    op.create_table(
        "sender_nonces",
        sa.Column("chain_id", sa.BigInteger(), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column("next_nonce", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chain_id", "address", name=op.f("pk_sender_nonces")),
    )
    with op.batch_alter_table("chain_jobs") as batch_op:
        batch_op.add_column(sa.Column("reverts", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_constraint(op.f("ck_chain_jobs_status"), type_="check")
        batch_op.create_check_constraint(
            "status", "status IN ('pending', 'sent', 'confirmed', 'failed')"
        )


def downgrade():
    op.execute("UPDATE chain_jobs SET status = 'pending' WHERE status = 'failed'")
    with op.batch_alter_table("chain_jobs") as batch_op:
        batch_op.drop_constraint(op.f("ck_chain_jobs_status"), type_="check")
        batch_op.create_check_constraint("status", "status IN ('pending', 'sent', 'confirmed')")
        batch_op.drop_column("reverts")
    op.drop_table("sender_nonces")
    op.drop_table("chain_transactions")
