"""Couples: drop the revision and the triggers that counted it

Revision ID: 7e3b9c41d2a8
Revises: 5c1e2f7a9b30
Create Date: 2026-12-04 15:40:00.000000

Nothing reads ``couples.revision`` any more: every answer is read from the database when
it is asked for. Undoing 5c1e2f7a9b30 exactly (its triggers, then the column in place),
and doing it again on the way down, with that revision's own steps.
"""
import importlib.util
from pathlib import Path


# revision identifiers, used by Alembic.
revision = '7e3b9c41d2a8'
down_revision = '5c1e2f7a9b30'
branch_labels = None
depends_on = None


def _counted_revision():
    path = Path(__file__).with_name('5c1e2f7a9b30_couple_revision.py')
    spec = importlib.util.spec_from_file_location('couple_revision_5c1e2f7a9b30', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    _counted_revision().downgrade()


def downgrade():
    _counted_revision().upgrade()
