"""Couples: a revision, counted up by the database on every change to what a couple shares

Revision ID: 5c1e2f7a9b30
Revises: d68764e80db0
Create Date: 2026-11-22 03:10:00.000000

``couples.revision`` goes up by one, in the same transaction, whenever a row that a
couple's open check-ins are drawn from is inserted, changed or deleted: its check-ins,
their answers, its own questions, its appreciations, and either partner's love-language
profile. Triggers count it, so no write can forget to, whichever way it is made (the ORM,
a one-statement write, a cascade, a hand-written statement). ``GET
/api/v1/checkins/today`` keeps its answer for the revision it was made from.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e2f7a9b30'
down_revision = 'd68764e80db0'
branch_labels = None
depends_on = None

# table -> the couples a row of it belongs to, as a query on the row ({row} is NEW or OLD)
TABLES = {
    'checkins': 'SELECT {row}.couple_id',
    'checkin_answers': 'SELECT couple_id FROM checkins WHERE id = {row}.checkin_id',
    'custom_questions': 'SELECT {row}.couple_id',
    'appreciations': 'SELECT {row}.couple_id',
    # A partner's ranking is in the small move the other partner is offered.
    'love_profiles': 'SELECT couple_id FROM couple_members WHERE user_id = {row}.user_id',
}
BUMP = 'UPDATE couples SET revision = revision + 1 WHERE id IN ({couples})'


def _sqlite_triggers():
    for table, couples in TABLES.items():
        for event, rows in (('INSERT', ('NEW',)), ('UPDATE', ('OLD', 'NEW')),
                            ('DELETE', ('OLD',))):
            which = ' UNION '.join(couples.format(row=row) for row in rows)
            yield (f'CREATE TRIGGER {table}_revision_{event.lower()} AFTER {event} '
                   f'ON {table} BEGIN {BUMP.format(couples=which)}; END')


def _postgresql_function() -> str:
    branches = []
    for table, couples in TABLES.items():
        which = ' UNION '.join(couples.format(row=row) for row in ('OLD', 'NEW'))
        branches.append(f"IF TG_TABLE_NAME = '{table}' THEN\n"
                        f"    IF TG_OP = 'INSERT' THEN {BUMP.format(couples=couples.format(row='NEW'))};\n"
                        f"    ELSIF TG_OP = 'DELETE' THEN {BUMP.format(couples=couples.format(row='OLD'))};\n"
                        f"    ELSE {BUMP.format(couples=which)};\n"
                        f"    END IF;\n")
    body = '  ' + '  ELS'.join(branches) + '  END IF;\n'
    return ('CREATE FUNCTION couples_count_revision() RETURNS trigger LANGUAGE plpgsql AS $$\n'
            f'BEGIN\n{body}  RETURN NULL;\nEND\n$$')


def upgrade():
    with op.batch_alter_table('couples', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0',
                                      nullable=False))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_postgresql_function())
        for table in TABLES:
            op.execute(f'CREATE TRIGGER {table}_revision AFTER INSERT OR UPDATE OR DELETE '
                       f'ON {table} FOR EACH ROW EXECUTE FUNCTION couples_count_revision()')
    else:
        for statement in _sqlite_triggers():
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f'DROP TRIGGER {table}_revision ON {table}')
        op.execute('DROP FUNCTION couples_count_revision()')
    else:
        for table in TABLES:
            for event in ('insert', 'update', 'delete'):
                op.execute(f'DROP TRIGGER {table}_revision_{event}')
    with op.batch_alter_table('couples', schema=None) as batch_op:
        batch_op.drop_column('revision')
