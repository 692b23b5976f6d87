"""memberships.first_issued_at: when the member was first given a card. issued_at moves when a
card taken back is given again; the community's "new members" count the first one, so that a
month's figure stays what it was when the summary is summed again

Revision ID: 0031
Revises: 0030
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("memberships") as batch_op:
        batch_op.add_column(sa.Column("first_issued_at", sa.DateTime(timezone=True), nullable=True))
    # The first date is not kept for cards given again before this: the last one stands in.
    op.execute("UPDATE memberships SET first_issued_at = issued_at")
    with op.batch_alter_table("memberships") as batch_op:
        batch_op.alter_column("first_issued_at", nullable=False)
        batch_op.create_index(
            batch_op.f("ix_memberships_first_issued_at"), ["first_issued_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("memberships") as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberships_first_issued_at"))
        batch_op.drop_column("first_issued_at")
