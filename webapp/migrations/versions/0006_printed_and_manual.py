"""printed and manual check-ins: an event's secret word, and how each claim was made

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events") as batch_op:
        batch_op.add_column(sa.Column("secret_word", sa.String(length=64), nullable=True))
    with op.batch_alter_table("claims") as batch_op:
        batch_op.add_column(
            sa.Column("via", sa.String(length=16), server_default="display", nullable=False)
        )
        batch_op.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_claims_recorded_by_id_users"), "users", ["recorded_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("claims") as batch_op:
        batch_op.drop_constraint(op.f("fk_claims_recorded_by_id_users"), type_="foreignkey")
        batch_op.drop_column("recorded_by_id")
        batch_op.drop_column("via")
    with op.batch_alter_table("events") as batch_op:
        batch_op.drop_column("secret_word")
