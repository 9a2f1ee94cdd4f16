"""Insights: the couple's shared picture over 7, 30 or 90 days."""
