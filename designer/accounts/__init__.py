"""Accounts: sign-in (session and token) for the API and WebSockets; it owns no workspace data and grants no roles."""
