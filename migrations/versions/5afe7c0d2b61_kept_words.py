"""Safety: words kept for their writer alone

When the words about to be sent suggest someone may not be safe, the writer may keep
them to themselves instead; they are kept here, readable by that person alone.

Revision ID: 5afe7c0d2b61
Revises: e7b2c9d41a06
Create Date: 2026-12-04 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5afe7c0d2b61'
down_revision = 'e7b2c9d41a06'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kept_words',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_kept_words_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kept_words')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('kept_words', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kept_words_user_id'), ['user_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('kept_words', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kept_words_user_id'))

    op.drop_table('kept_words')
