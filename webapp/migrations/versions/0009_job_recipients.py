"""job recipients: a chain job keeps the address it pays, fixed when the job is made, so the
job queue never reads a member's account

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("chain_jobs") as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=42), nullable=True))
    op.execute(
        "UPDATE chain_jobs SET address = "
        "(SELECT users.address FROM users WHERE users.id = chain_jobs.user_id)"
    )
    with op.batch_alter_table("chain_jobs") as batch_op:
        batch_op.alter_column("address", existing_type=sa.String(length=42), nullable=False)


def downgrade():
    with op.batch_alter_table("chain_jobs") as batch_op:
        batch_op.drop_column("address")
