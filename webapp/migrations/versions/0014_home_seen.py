"""home seen: when each person last opened Home, so that it can say what changed since

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    # Empty for everyone so far: their next Home has nothing to compare with and says nothing.
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("home_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("home_seen_at")
