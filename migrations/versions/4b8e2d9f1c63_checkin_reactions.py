"""Check-in reactions: a heart, a thank-you or "let's talk about this" on an answer

Revision ID: 4b8e2d9f1c63
Revises: 9d4e1b7c3a20
Create Date: 2026-12-05 01:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4b8e2d9f1c63'
down_revision = '9d4e1b7c3a20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'checkin_reactions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('checkin_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('question_key', sa.String(length=40), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('seen_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'],
                                name=op.f('fk_checkin_reactions_checkin_id_checkins'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_checkin_reactions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_reactions')),
        sa.UniqueConstraint('checkin_id', 'user_id', 'question_key',
                            name=op.f('uq_checkin_reactions_checkin_id_user_id_question_key')),
    )
    op.create_index(op.f('ix_checkin_reactions_user_id'), 'checkin_reactions', ['user_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_checkin_reactions_user_id'), table_name='checkin_reactions')
    op.drop_table('checkin_reactions')
