"""Modules that fit an untrained model to a labelled table."""
