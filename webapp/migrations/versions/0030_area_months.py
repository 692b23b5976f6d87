"""area_months: the monthly summary's totals by where members lived, so that the community
page's trend and a period's sums read four rows a month instead of every member's month; and
checkins in activity_months' (user_id, month) index, so that who took part, and since when, is
read from the index alone

Revision ID: 0030
Revises: 0029
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "area_months",
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=16), nullable=False),
        sa.Column("checkins", sa.Integer(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("coins_earned", sa.Integer(), nullable=False),
        sa.Column("coins_spent", sa.Integer(), nullable=False),
        sa.Column("perks_used", sa.Integer(), nullable=False),
        sa.Column("joined", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "area", name=op.f("pk_area_months")),
    )
    # Filled from activity_months as they stand: the worker's next round needs no rebuild.
    op.execute(
        "INSERT INTO area_months (month, area, checkins, participants, coins_earned,"
        " coins_spent, perks_used, joined)"
        " SELECT month, area, SUM(checkins), SUM(CASE WHEN checkins > 0 THEN 1 ELSE 0 END),"
        " SUM(coins_earned), SUM(coins_spent), SUM(perks_used),"
        " SUM(CASE WHEN joined THEN 1 ELSE 0 END)"
        " FROM activity_months GROUP BY month, area"
    )
    op.drop_index("ix_activity_months_user_month", table_name="activity_months")
    op.create_index(
        "ix_activity_months_user_month", "activity_months", ["user_id", "month", "checkins"]
    )


def downgrade():
    op.drop_index("ix_activity_months_user_month", table_name="activity_months")
    op.create_index("ix_activity_months_user_month", "activity_months", ["user_id", "month"])
    op.drop_table("area_months")
