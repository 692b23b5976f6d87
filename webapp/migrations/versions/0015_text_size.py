"""text size: the size of the app's text each person chose (標準, 大きい, 特大)

Revision ID: 0015
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("text_size", sa.String(length=10), server_default="standard", nullable=False)
        )
        batch_op.create_check_constraint(
            "text_size", "text_size IN ('standard', 'large', 'largest')"
        )


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint("text_size", type_="check")
        batch_op.drop_column("text_size")
