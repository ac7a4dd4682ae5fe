"""Datasets: uploaded tables with immutable, profiled versions in the artifact store; no pipeline or run logic."""
