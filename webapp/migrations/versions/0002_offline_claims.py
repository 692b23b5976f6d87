"""offline claims: how long after its scan an offline claim still counts

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.add_column(
            sa.Column("offline_claim_days", sa.Integer(), server_default="7", nullable=False)
        )
        batch_op.create_check_constraint(
            "offline_claim_days", "offline_claim_days BETWEEN 0 AND 30"
        )


def downgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_constraint("ck_events_offline_claim_days", type_="check")
        batch_op.drop_column("offline_claim_days")
