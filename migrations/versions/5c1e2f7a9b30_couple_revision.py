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

On PostgreSQL the triggers are deferred to the commit: the couple's row is locked only
while the transaction commits, after everything else it locks, so a writer never holds
it while it waits for another row (an account being deleted holds its user's row and
counts the revision of its couple as its answers go).

On SQLite a later migration that rebuilds one of these tables, or ``couples`` (Alembic's
batch mode copies the table and renames the copy), must drop these triggers first and
create them again after: a rebuilt table loses its triggers, and a trigger on another
table that names a table being renamed stops the rename. The tests of the revision run
on the migrated schema, so a migration that loses a trigger fails them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5c1e2f7a9b30'
down_revision = 'd68764e80db0'
branch_labels = None
depends_on = None

# table -> (the column that ties a row to its couples, the couples as a query on the row:
# {row} is NEW or OLD)
TABLES = {
    'checkins': ('couple_id', 'SELECT {row}.couple_id'),
    'checkin_answers': ('checkin_id', 'SELECT couple_id FROM checkins WHERE id = {row}.checkin_id'),
    'custom_questions': ('couple_id', 'SELECT {row}.couple_id'),
    'appreciations': ('couple_id', 'SELECT {row}.couple_id'),
    # A partner's ranking is in the small move the other partner is offered.
    'love_profiles': ('user_id', 'SELECT couple_id FROM couple_members WHERE user_id = {row}.user_id'),
}
BUMP = 'UPDATE couples SET revision = revision + 1 WHERE id IN ({couples})'


def _sqlite_triggers():
    """The couples of NEW after an INSERT or UPDATE, of OLD after a DELETE or an UPDATE
    that moved the row to other couples."""
    for table, (tie, couples) in TABLES.items():
        new, old = couples.format(row='NEW'), couples.format(row='OLD')
        for name, event, when, which in (
                ('insert', 'INSERT', '', new), ('update', 'UPDATE', '', new),
                ('moved', 'UPDATE', f' WHEN OLD.{tie} IS NOT NEW.{tie}', old),
                ('delete', 'DELETE', '', old)):
            yield (f'CREATE TRIGGER {table}_revision_{name} AFTER {event} ON {table}{when} '
                   f'BEGIN {BUMP.format(couples=which)}; END')


def _postgresql_functions():
    """One function per table, as ``_sqlite_triggers``."""
    for table, (tie, couples) in TABLES.items():
        new, old = couples.format(row='NEW'), couples.format(row='OLD')
        yield (f'CREATE FUNCTION {table}_count_revision() RETURNS trigger '
               'LANGUAGE plpgsql AS $$\n'
               'BEGIN\n'
               "  IF TG_OP <> 'DELETE' THEN\n"
               f'    {BUMP.format(couples=new)};\n'
               '  END IF;\n'
               "  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND "
               f'OLD.{tie} IS DISTINCT FROM NEW.{tie}) THEN\n'
               f'    {BUMP.format(couples=old)};\n'
               '  END IF;\n'
               '  RETURN NULL;\n'
               'END\n$$')


def upgrade():
    with op.batch_alter_table('couples', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0',
                                      nullable=False))
    if op.get_bind().dialect.name == 'postgresql':
        for function in _postgresql_functions():
            op.execute(function)
        for table in TABLES:
            op.execute(f'CREATE CONSTRAINT TRIGGER {table}_revision '
                       f'AFTER INSERT OR UPDATE OR DELETE ON {table} '
                       'DEFERRABLE INITIALLY DEFERRED '
                       f'FOR EACH ROW EXECUTE FUNCTION {table}_count_revision()')
    else:
        for statement in _sqlite_triggers():
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f'DROP TRIGGER {table}_revision ON {table}')
            op.execute(f'DROP FUNCTION {table}_count_revision()')
    else:
        for table in TABLES:
            for name in ('insert', 'update', 'moved', 'delete'):
                op.execute(f'DROP TRIGGER {table}_revision_{name}')
    if op.get_bind().dialect.name == 'sqlite':
        # In place (SQLite 3.35+): batch mode would copy the table and drop the old one,
        # and with foreign keys on that drop deletes every row that refers to a couple.
        op.execute('ALTER TABLE couples DROP COLUMN revision')
    else:
        op.drop_column('couples', 'revision')
