"""Modules that score tables with a trained model and measure the scores."""
