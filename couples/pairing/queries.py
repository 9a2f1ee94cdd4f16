"""Small reads about couples that other features need too (no imports of their services)."""

from couples.extensions import db
from couples.pairing.models import CoupleMember


def is_linked(user_id: int) -> bool:
    """Whether the user is in a couple right now."""
    return (
        db.session.execute(
            db.select(CoupleMember.id).where(
                CoupleMember.user_id == user_id, CoupleMember.left_at.is_(None)
            )
        ).first()
        is not None
    )
