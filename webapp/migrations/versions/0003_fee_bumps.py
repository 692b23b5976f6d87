"""fee bumps: a job remembers its fees and the transactions a replacement took over from

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("chain_jobs") as batch_op:
        batch_op.add_column(sa.Column("max_fee_per_gas", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("priority_fee_per_gas", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("replaced_tx_hashes", sa.Text(), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("chain_jobs") as batch_op:
        batch_op.drop_column("replaced_tx_hashes")
        batch_op.drop_column("priority_fee_per_gas")
        batch_op.drop_column("max_fee_per_gas")
