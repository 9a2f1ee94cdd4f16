"""Couples: when the shared history of an ended couple was erased

Until then, the same two people linking again reopen their couple; the clock erases it
after the days of grace, and either may erase it at once when unlinking.

Revision ID: c3a91f0e7b52
Revises: 5c1f0e7a9b3d
Create Date: 2026-12-04 21:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a91f0e7b52'
down_revision = '5c1f0e7a9b3d'
branch_labels = None
depends_on = None

WHERE = 'ended_at IS NOT NULL AND history_erased_at IS NULL'


def upgrade():
    # In place, never as a copy of the table: on SQLite a copy would drop the old table,
    # and with foreign keys on that deletes every row that refers to a couple.
    op.add_column('couples', sa.Column('history_erased_at', sa.DateTime(timezone=True),
                                       nullable=True))
    op.create_index('ix_couples_ended_not_erased', 'couples', ['ended_at'], unique=False,
                    sqlite_where=sa.text(WHERE), postgresql_where=sa.text(WHERE))


def downgrade():
    op.drop_index('ix_couples_ended_not_erased', table_name='couples',
                  sqlite_where=sa.text(WHERE), postgresql_where=sa.text(WHERE))
    if op.get_bind().dialect.name == 'sqlite':
        # In place (SQLite 3.35+), for the same reason as above.
        op.execute('ALTER TABLE couples DROP COLUMN history_erased_at')
    else:
        op.drop_column('couples', 'history_erased_at')
