"""Workspaces: the sharing boundary, its members and their roles; it must not know what objects live inside."""
