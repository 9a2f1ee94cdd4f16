"""Notifications: the token of the claim that holds a row

Each claim writes a token of its own with the lease; sending and recording check it, so
a batch whose lease ran out cannot send or record over the claim that took its rows.

Revision ID: c41d7a2e9b15
Revises: aaae1b77d2dc
Create Date: 2026-12-04 22:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c41d7a2e9b15'
down_revision = 'aaae1b77d2dc'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on both databases: no table rebuild.
    op.add_column('notifications', sa.Column('claim_token', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('claim_token')
