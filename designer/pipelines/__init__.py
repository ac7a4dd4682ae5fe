"""Pipelines: graph documents saved as immutable versions plus an autosaved draft; never executes anything."""
