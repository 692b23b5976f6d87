"""project badges and a decline's reason: a project's contributor badge, given once per person, minted by a chain job

Revision ID: 0026
Revises: 0025
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

KINDS = "'award', 'issue_card', 'redeem', 'revoke_card', 'record_decision'"


def upgrade():
    with op.batch_alter_table("projects") as batch_op:
        batch_op.add_column(
            sa.Column("decline_reason", sa.Text(), server_default="", nullable=False)
        )
    with op.batch_alter_table("chain_jobs") as batch_op:
        batch_op.add_column(sa.Column("project_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_chain_jobs_project_id_projects"), "projects", ["project_id"], ["id"]
        )
        batch_op.drop_constraint(op.f("ck_chain_jobs_kind"), type_="check")
        batch_op.create_check_constraint("kind", f"kind IN ({KINDS}, 'project_badge')")
    op.create_table(
        "project_badges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("chain_job_id", sa.Integer(), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("given_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chain_job_id"],
            ["chain_jobs.id"],
            name=op.f("fk_project_badges_chain_job_id_chain_jobs"),
        ),
        sa.ForeignKeyConstraint(
            ["given_by_id"], ["users.id"], name=op.f("fk_project_badges_given_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_project_badges_project_id_projects")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_project_badges_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_badges")),
        sa.UniqueConstraint(
            "project_id", "user_id", name=op.f("uq_project_badges_project_id_user_id")
        ),
    )
    op.create_index(op.f("ix_project_badges_user_id"), "project_badges", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_project_badges_user_id"), table_name="project_badges")
    op.drop_table("project_badges")
    op.execute("DELETE FROM chain_jobs WHERE kind = 'project_badge'")
    with op.batch_alter_table("chain_jobs") as batch_op:
        batch_op.drop_constraint(op.f("ck_chain_jobs_kind"), type_="check")
        batch_op.create_check_constraint("kind", f"kind IN ({KINDS})")
        batch_op.drop_constraint(
            batch_op.f("fk_chain_jobs_project_id_projects"), type_="foreignkey"
        )
        batch_op.drop_column("project_id")
    with op.batch_alter_table("projects") as batch_op:
        batch_op.drop_column("decline_reason")
