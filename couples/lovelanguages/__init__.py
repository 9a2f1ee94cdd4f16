"""Love languages: the quiz, its scoring, ideas for small moves, and bid presets."""
