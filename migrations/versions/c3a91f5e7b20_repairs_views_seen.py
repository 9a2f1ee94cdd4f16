"""Repairs: what each partner has seen, and how each sees it

``seen_by_opener`` and ``seen_by_partner`` keep, for each partner, the latest step the
repair had when they last opened it, so the other is told their words were read only
once they were. ``opener_view`` and ``partner_view`` hold how each partner sees their
part (hurt, apologizing or both): the roles are settled from the two, never handed to
the partner who did not open the repair. Both are empty on repairs opened before.

Revision ID: c3a91f5e7b20
Revises: 5afe7c0d2b61
Create Date: 2026-12-04 21:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a91f5e7b20'
down_revision = '5afe7c0d2b61'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('repairs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seen_by_opener', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('seen_by_partner', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('opener_view', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('partner_view', sa.String(length=12), nullable=True))


def downgrade():
    with op.batch_alter_table('repairs', schema=None) as batch_op:
        batch_op.drop_column('partner_view')
        batch_op.drop_column('opener_view')
        batch_op.drop_column('seen_by_partner')
        batch_op.drop_column('seen_by_opener')
