"""Connect: one place for the small everyday gestures (appreciations, bids, love languages)."""
