"""Appreciations: short notes of gratitude, and the shared journal."""
