"""Catalogue: serves the module registry and port types to the browser; read-only, it stores nothing."""
