"""The model registry: trained models registered by name, each registration a new version with lineage."""
