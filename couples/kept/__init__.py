"""Words kept for me: what a person chose not to send after the safety check, kept where
only they can read it (never the partner, never a notification)."""
