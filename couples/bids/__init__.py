"""Bids for connection: sent, answered, noticed in person."""
