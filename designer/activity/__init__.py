"""Activity: an append-only feed of who did what in a workspace; services record, it never changes other objects."""
