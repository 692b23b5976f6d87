"""ありがとう and 結い: thanks from a monthly allowance (thanks, thanks_settings, thanks_optouts),
the month's pool (thanks_pools, thanks_pool_shares), the 結い board (yui_posts, yui_threads,
yui_messages, yui_confirmations, yui_reports); chain jobs of kind badge (a badge outside events,
with coins or none, at chain_jobs.token_id) and burn (coins paid for such a badge); a 結い
request's coins held on the ledger (ledger_entries.yui_post_id)

Revision ID: 0032
Revises: 0031
"""

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

KINDS = "'award', 'issue_card', 'redeem', 'revoke_card', 'record_decision', 'project_badge'"


def upgrade():
    op.create_table(
        "thanks_pools",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("coins", sa.Integer(), nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_thanks_pools")),
    )
    op.create_table(
        "thanks_optouts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_thanks_optouts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_thanks_optouts")),
    )
    op.create_table(
        "thanks_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("allowance", sa.Integer(), nullable=False),
        sa.Column("per_person_percent", sa.Integer(), nullable=False),
        sa.Column("pool_on", sa.Boolean(), nullable=False),
        sa.Column("pool_coins", sa.Integer(), nullable=False),
        sa.Column("pool_on_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_thanks_settings_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thanks_settings")),
    )
    op.create_table(
        "yui_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("when_text", sa.String(length=80), nullable=False),
        sa.Column("coins", sa.Integer(), nullable=False),
        sa.Column("for_user_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind = 'request' OR coins = 0", name=op.f("ck_yui_posts_coins_on_requests")
        ),
        sa.CheckConstraint("kind IN ('request', 'offer')", name=op.f("ck_yui_posts_kind")),
        sa.CheckConstraint("coins >= 0", name=op.f("ck_yui_posts_coins")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_yui_posts_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["for_user_id"], ["users.id"], name=op.f("fk_yui_posts_for_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"], ["users.id"], name=op.f("fk_yui_posts_hidden_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_yui_posts")),
    )
    with op.batch_alter_table("yui_posts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_yui_posts_area"), ["area"], unique=False)
        batch_op.create_index(batch_op.f("ix_yui_posts_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_yui_posts_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_yui_posts_for_user_id"), ["for_user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_yui_posts_kind"), ["kind"], unique=False)

    op.create_table(
        "yui_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["post_id"], ["yui_posts.id"], name=op.f("fk_yui_reports_post_id_yui_posts")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_yui_reports_reporter_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_yui_reports")),
        sa.UniqueConstraint(
            "post_id", "reporter_id", name=op.f("uq_yui_reports_post_id_reporter_id")
        ),
    )
    with op.batch_alter_table("yui_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_yui_reports_post_id"), ["post_id"], unique=False)

    op.create_table(
        "yui_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("responder_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["yui_posts.id"], name=op.f("fk_yui_threads_post_id_yui_posts")
        ),
        sa.ForeignKeyConstraint(
            ["responder_id"], ["users.id"], name=op.f("fk_yui_threads_responder_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_yui_threads")),
        sa.UniqueConstraint(
            "post_id", "responder_id", name=op.f("uq_yui_threads_post_id_responder_id")
        ),
    )
    with op.batch_alter_table("yui_threads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_yui_threads_post_id"), ["post_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_yui_threads_responder_id"), ["responder_id"], unique=False
        )

    op.create_table(
        "thanks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("giver_id", sa.Integer(), nullable=False),
        sa.Column("receiver_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "via IN ('profile', 'card', 'checkin', 'feed')", name=op.f("ck_thanks_via")
        ),
        sa.CheckConstraint("giver_id <> receiver_id", name=op.f("ck_thanks_not_self")),
        sa.CheckConstraint("points > 0", name=op.f("ck_thanks_points")),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_thanks_event_id_events")
        ),
        sa.ForeignKeyConstraint(["giver_id"], ["users.id"], name=op.f("fk_thanks_giver_id_users")),
        sa.ForeignKeyConstraint(
            ["receiver_id"], ["users.id"], name=op.f("fk_thanks_receiver_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thanks")),
    )
    with op.batch_alter_table("thanks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_thanks_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_thanks_giver_id_month", ["giver_id", "month"], unique=False)
        batch_op.create_index(batch_op.f("ix_thanks_month"), ["month"], unique=False)
        batch_op.create_index("ix_thanks_receiver_id_month", ["receiver_id", "month"], unique=False)

    op.create_table(
        "yui_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["users.id"], name=op.f("fk_yui_messages_sender_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["yui_threads.id"], name=op.f("fk_yui_messages_thread_id_yui_threads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_yui_messages")),
    )
    with op.batch_alter_table("yui_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_yui_messages_thread_id"), ["thread_id"], unique=False)

    op.create_table(
        "yui_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.String(length=64), nullable=False),
        sa.Column("helper_id", sa.Integer(), nullable=False),
        sa.Column("helped_id", sa.Integer(), nullable=False),
        sa.Column("scanned_by_id", sa.Integer(), nullable=False),
        sa.Column("coins", sa.Integer(), nullable=False),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("token_id", sa.BigInteger(), nullable=True),
        sa.Column("helper_job_id", sa.Integer(), nullable=True),
        sa.Column("helped_job_id", sa.Integer(), nullable=True),
        sa.Column("burn_job_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["burn_job_id"],
            ["chain_jobs.id"],
            name=op.f("fk_yui_confirmations_burn_job_id_chain_jobs"),
        ),
        sa.ForeignKeyConstraint(
            ["helped_id"], ["users.id"], name=op.f("fk_yui_confirmations_helped_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["helped_job_id"],
            ["chain_jobs.id"],
            name=op.f("fk_yui_confirmations_helped_job_id_chain_jobs"),
        ),
        sa.ForeignKeyConstraint(
            ["helper_id"], ["users.id"], name=op.f("fk_yui_confirmations_helper_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["helper_job_id"],
            ["chain_jobs.id"],
            name=op.f("fk_yui_confirmations_helper_job_id_chain_jobs"),
        ),
        sa.ForeignKeyConstraint(
            ["scanned_by_id"], ["users.id"], name=op.f("fk_yui_confirmations_scanned_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["yui_threads.id"],
            name=op.f("fk_yui_confirmations_thread_id_yui_threads"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_yui_confirmations")),
        sa.UniqueConstraint("claim_id", name=op.f("uq_yui_confirmations_claim_id")),
        sa.UniqueConstraint("thread_id", name=op.f("uq_yui_confirmations_thread_id")),
    )
    with op.batch_alter_table("yui_confirmations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_yui_confirmations_helped_id"), ["helped_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_yui_confirmations_helper_id"), ["helper_id"], unique=False
        )

    op.create_table(
        "thanks_pool_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("givers", sa.Integer(), nullable=False),
        sa.Column("coins", sa.Integer(), nullable=False),
        sa.Column("ledger_entry_id", sa.Integer(), nullable=True),
        sa.Column("chain_job_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chain_job_id"],
            ["chain_jobs.id"],
            name=op.f("fk_thanks_pool_shares_chain_job_id_chain_jobs"),
        ),
        sa.ForeignKeyConstraint(
            ["ledger_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_thanks_pool_shares_ledger_entry_id_ledger_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["month"], ["thanks_pools.month"], name=op.f("fk_thanks_pool_shares_month_thanks_pools")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_thanks_pool_shares_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thanks_pool_shares")),
        sa.UniqueConstraint("month", "user_id", name=op.f("uq_thanks_pool_shares_month_user_id")),
    )
    with op.batch_alter_table("thanks_pool_shares", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_thanks_pool_shares_month"), ["month"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_thanks_pool_shares_user_id"), ["user_id"], unique=False
        )

    with op.batch_alter_table("chain_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_id", sa.BigInteger(), nullable=True))
        batch_op.drop_constraint(op.f("ck_chain_jobs_kind"), type_="check")
        batch_op.create_check_constraint("kind", f"kind IN ({KINDS}, 'badge', 'burn')")

    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("yui_post_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_ledger_entries_yui_post_id"), ["yui_post_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_ledger_entries_yui_post_id_yui_posts"),
            "yui_posts",
            ["yui_post_id"],
            ["id"],
        )


def downgrade():
    # What only these tables explain goes first: coins held by a 結い post, paid for a 結い or
    # from a pool, and the rows that point at their chain jobs (which go last).
    op.execute(
        "DELETE FROM ledger_entries WHERE yui_post_id IS NOT NULL"
        " OR kind IN ('yui', 'thanks_pool')"
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_ledger_entries_yui_post_id_yui_posts"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_ledger_entries_yui_post_id"))
        batch_op.drop_column("yui_post_id")

    with op.batch_alter_table("thanks_pool_shares", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_thanks_pool_shares_user_id"))
        batch_op.drop_index(batch_op.f("ix_thanks_pool_shares_month"))

    op.drop_table("thanks_pool_shares")
    with op.batch_alter_table("yui_confirmations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_yui_confirmations_helper_id"))
        batch_op.drop_index(batch_op.f("ix_yui_confirmations_helped_id"))

    op.drop_table("yui_confirmations")
    with op.batch_alter_table("yui_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_yui_messages_thread_id"))

    op.drop_table("yui_messages")
    with op.batch_alter_table("thanks", schema=None) as batch_op:
        batch_op.drop_index("ix_thanks_receiver_id_month")
        batch_op.drop_index(batch_op.f("ix_thanks_month"))
        batch_op.drop_index("ix_thanks_giver_id_month")
        batch_op.drop_index(batch_op.f("ix_thanks_created_at"))

    op.drop_table("thanks")
    with op.batch_alter_table("yui_threads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_yui_threads_responder_id"))
        batch_op.drop_index(batch_op.f("ix_yui_threads_post_id"))

    op.drop_table("yui_threads")
    with op.batch_alter_table("yui_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_yui_reports_post_id"))

    op.drop_table("yui_reports")
    with op.batch_alter_table("yui_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_yui_posts_kind"))
        batch_op.drop_index(batch_op.f("ix_yui_posts_for_user_id"))
        batch_op.drop_index(batch_op.f("ix_yui_posts_created_at"))
        batch_op.drop_index(batch_op.f("ix_yui_posts_category"))
        batch_op.drop_index(batch_op.f("ix_yui_posts_area"))

    op.drop_table("yui_posts")
    op.drop_table("thanks_settings")
    op.drop_table("thanks_optouts")
    op.drop_table("thanks_pools")

    op.execute("DELETE FROM chain_jobs WHERE kind IN ('badge', 'burn')")
    with op.batch_alter_table("chain_jobs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_chain_jobs_kind"), type_="check")
        batch_op.create_check_constraint("kind", f"kind IN ({KINDS})")
        batch_op.drop_column("token_id")
