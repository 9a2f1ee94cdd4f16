"""Notifications: the language their words are written in

Revision ID: b52d0c6e1f3a
Revises: a10039743919
Create Date: 2026-12-05 21:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b52d0c6e1f3a'
down_revision = 'a10039743919'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('lang', sa.String(length=8), server_default='en', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('lang')
