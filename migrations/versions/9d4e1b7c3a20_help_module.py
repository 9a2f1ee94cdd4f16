"""Check-in modules: "one thing that would help" becomes a module of its own

It was asked with the needs score; now the needs score is in the nightly core and the
question is one of the optional deeper modules. A couple that had turned needs off keeps
the question off too.

Revision ID: 9d4e1b7c3a20
Revises: c3a91f0e7b52
Create Date: 2026-12-05 01:00:00.000000

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9d4e1b7c3a20'
down_revision = 'c3a91f0e7b52'
branch_labels = None
depends_on = None

couples = sa.table('couples', sa.column('id', sa.Integer), sa.column('modules_off', sa.JSON))


def _turn_off_with(old, new):
    bind = op.get_bind()
    for couple_id, off in bind.execute(sa.select(couples.c.id, couples.c.modules_off)):
        off = json.loads(off) if isinstance(off, str) else list(off or [])
        if old in off and new not in off:
            bind.execute(
                couples.update()
                .where(couples.c.id == couple_id)
                .values(modules_off=sorted([*off, new]))
            )


def upgrade():
    _turn_off_with('needs', 'help')


def downgrade():
    bind = op.get_bind()
    for couple_id, off in bind.execute(sa.select(couples.c.id, couples.c.modules_off)):
        off = json.loads(off) if isinstance(off, str) else list(off or [])
        if 'help' in off:
            bind.execute(
                couples.update()
                .where(couples.c.id == couple_id)
                .values(modules_off=[m for m in off if m != 'help'])
            )
