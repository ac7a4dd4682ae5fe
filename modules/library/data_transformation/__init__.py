"""Modules that reshape or clean a table without learning a model."""
