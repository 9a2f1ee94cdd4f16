"""Notifications: an index on created_at

The tick deletes notifications older than the retention (NOTIFICATION_RETENTION_DAYS),
a small batch at a time; this index finds them without reading the whole table.

Revision ID: 5c1f0e7a9b3d
Revises: c3a91f5e7b20
Create Date: 2026-12-04 22:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5c1f0e7a9b3d'
down_revision = 'c3a91f5e7b20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_created_at'))
