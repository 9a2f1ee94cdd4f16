"""Repairs: say back what was heard before the apology

A new state, ``reflect``, between ``hearing`` and ``apology``; ``reflection`` holds what
the apologizing partner heard until the hurt partner confirms it.

Revision ID: 63fde789dd41
Revises: 45782f2ec1da
Create Date: 2026-12-05 13:53:28.664132

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '63fde789dd41'
down_revision = '45782f2ec1da'
branch_labels = None
depends_on = None


OLD = ("'ready', 'hearing', 'apology', 'response', 'plan', 'reconnect', "
       "'following_through', 'resolved', 'closed'")
NEW = ("'ready', 'hearing', 'reflect', 'apology', 'response', 'plan', 'reconnect', "
       "'following_through', 'resolved', 'closed'")


def upgrade():
    with op.batch_alter_table('repairs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reflection', sa.String(length=2000), nullable=True))
        batch_op.drop_constraint(batch_op.f('ck_repairs_state'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_repairs_state'), f'state IN ({NEW})')


def downgrade():
    # A repair saying back what was heard goes on to its apology.
    op.execute("UPDATE repairs SET state = 'apology' WHERE state = 'reflect'")
    with op.batch_alter_table('repairs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_repairs_state'), type_='check')
        batch_op.create_check_constraint(batch_op.f('ck_repairs_state'), f'state IN ({OLD})')
        batch_op.drop_column('reflection')
