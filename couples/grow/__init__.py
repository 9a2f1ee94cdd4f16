"""Grow: what each person does for themselves between the evenings and the repairs,
private unless they choose to share it. Today: the reflection journal."""
