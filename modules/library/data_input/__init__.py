"""Modules that bring tables into a pipeline: registered datasets and data typed in by hand."""
