"""indexes for the administrators' list of everyone and the audit log's filters

Revision ID: 0019
Revises: 0018
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_users_display_name", "users", ["display_name"], unique=False)
    op.create_index(
        "ix_device_sessions_user_id_last_seen_at",
        "device_sessions",
        ["user_id", "last_seen_at"],
        unique=False,
    )
    op.create_index("ix_audit_log_actor_id", "audit_log", ["actor_id"], unique=False)
    op.create_index("ix_audit_log_action", "audit_log", ["action"], unique=False)


def downgrade():
    op.drop_index("ix_audit_log_action", table_name="audit_log")
    op.drop_index("ix_audit_log_actor_id", table_name="audit_log")
    op.drop_index("ix_device_sessions_user_id_last_seen_at", table_name="device_sessions")
    op.drop_index("ix_users_display_name", table_name="users")
