"""decisions: proposals, their options, electorates and ballots (one card, one vote)

Revision ID: 0025
Revises: 0024 (the decision record's chain jobs, which this package queues)
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voting_starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voting_ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("min_turnout_percent", sa.Integer(), nullable=False),
        sa.Column("majority", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("electorate_size", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tally", sa.JSON(), nullable=True),
        sa.Column("ballots_digest", sa.LargeBinary(length=32), nullable=True),
        sa.Column("ballot_secret", sa.LargeBinary(length=32), nullable=False),
        sa.CheckConstraint(
            "status IN ('discussion', 'voting', 'passed', 'rejected', 'no_quorum', 'tie')",
            name=op.f("ck_proposals_status"),
        ),
        sa.CheckConstraint("kind IN ('yes_no', 'choice')", name=op.f("ck_proposals_kind")),
        sa.CheckConstraint("majority IN ('simple')", name=op.f("ck_proposals_majority")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_proposals_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_proposals_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    op.create_index(op.f("ix_proposals_author_id"), "proposals", ["author_id"], unique=False)
    op.create_index(op.f("ix_proposals_project_id"), "proposals", ["project_id"], unique=False)
    op.create_index(op.f("ix_proposals_status"), "proposals", ["status"], unique=False)
    op.create_table(
        "proposal_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_options_proposal_id_proposals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposal_options")),
        sa.UniqueConstraint(
            "proposal_id", "position", name=op.f("uq_proposal_options_proposal_id_position")
        ),
    )
    op.create_index(
        op.f("ix_proposal_options_proposal_id"), "proposal_options", ["proposal_id"], unique=False
    )
    op.create_table(
        "proposal_electorate",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("fk_proposal_electorate_proposal_id_proposals"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_proposal_electorate_user_id_users")
        ),
        sa.PrimaryKeyConstraint("proposal_id", "user_id", name=op.f("pk_proposal_electorate")),
    )
    op.create_index(
        op.f("ix_proposal_electorate_user_id"), "proposal_electorate", ["user_id"], unique=False
    )
    op.create_table(
        "ballots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("via IN ('phone', 'meeting')", name=op.f("ck_ballots_via")),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_ballots_proposal_id_proposals")
        ),
        sa.ForeignKeyConstraint(["voter_id"], ["users.id"], name=op.f("fk_ballots_voter_id_users")),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["proposal_options.id"],
            name=op.f("fk_ballots_option_id_proposal_options"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_ballots_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballots")),
        sa.UniqueConstraint(
            "proposal_id", "voter_id", name=op.f("uq_ballots_proposal_id_voter_id")
        ),
    )
    op.create_index(op.f("ix_ballots_voter_id"), "ballots", ["voter_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_ballots_voter_id"), table_name="ballots")
    op.drop_table("ballots")
    op.drop_index(op.f("ix_proposal_electorate_user_id"), table_name="proposal_electorate")
    op.drop_table("proposal_electorate")
    op.drop_index(op.f("ix_proposal_options_proposal_id"), table_name="proposal_options")
    op.drop_table("proposal_options")
    op.drop_index(op.f("ix_proposals_status"), table_name="proposals")
    op.drop_index(op.f("ix_proposals_project_id"), table_name="proposals")
    op.drop_index(op.f("ix_proposals_author_id"), table_name="proposals")
    op.drop_table("proposals")
