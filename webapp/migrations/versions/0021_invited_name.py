"""invitations keep the name a person was invited under, so that importing a season's file again
knows someone who chose another name when they joined

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invitations") as batch_op:
        batch_op.add_column(sa.Column("invited_name", sa.String(length=100), nullable=True))
    # So far every invited person's name is the one they were invited under, unless they have
    # joined since: theirs is the best guess there is.
    op.execute(
        "UPDATE invitations SET invited_name = "
        "(SELECT display_name FROM users WHERE users.id = invitations.user_id)"
    )


def downgrade():
    with op.batch_alter_table("invitations") as batch_op:
        batch_op.drop_column("invited_name")
