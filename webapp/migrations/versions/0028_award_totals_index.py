"""an index on chain_jobs.event_id: an event's awards are summed against its budget at every
check-in, and without it that sum reads every job

Revision ID: 0028
Revises: 0027
"""

from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("chain_jobs") as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_jobs_event_id"), ["event_id"], unique=False)


def downgrade():
    with op.batch_alter_table("chain_jobs") as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_jobs_event_id"))
