"""perk photos say what they show: alt text for people who hear the page read aloud

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("perks") as batch_op:
        batch_op.add_column(
            sa.Column("photo_alt", sa.String(length=200), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("perks") as batch_op:
        batch_op.drop_column("photo_alt")
