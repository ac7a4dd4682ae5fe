"""Modules that describe a table with statistics (summaries, correlations, principal components); no learners."""
