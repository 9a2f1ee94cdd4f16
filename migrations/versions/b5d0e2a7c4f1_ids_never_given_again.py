"""Ids SQLite never gives again

Revision ID: b5d0e2a7c4f1
Revises: 7e3b9c41d2a8
Create Date: 2026-12-04 19:20:00.000000

On SQLite, a table whose ids reach a cookie, a URL, the API or an export is rebuilt with
AUTOINCREMENT, so that the id of a deleted row is never given to a new one (without it,
SQLite gives the highest id again once its row is deleted). Alembic's batch mode copies
each table; foreign keys are off while migrations run (``migrations/env.py``), so the
copy cascades nothing, and they are checked before the upgrade is done. PostgreSQL's
sequences never give an id twice: nothing to do there.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b5d0e2a7c4f1'
down_revision = '7e3b9c41d2a8'
branch_labels = None
depends_on = None

NEVER_REUSED = ('users', 'couples', 'custom_questions', 'appreciations', 'notifications',
                'push_subscriptions')


def _rebuild(autoincrement):
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in NEVER_REUSED:
        with op.batch_alter_table(table, recreate='always',
                                  table_kwargs={'sqlite_autoincrement': autoincrement}):
            pass


def upgrade():
    _rebuild(autoincrement=True)


def downgrade():
    _rebuild(autoincrement=False)
