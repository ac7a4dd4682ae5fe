"""Accounts use Django's own User model and DRF's Token; nothing else is stored here."""
