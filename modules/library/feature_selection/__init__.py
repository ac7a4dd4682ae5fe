"""Modules that rank feature columns, from the data alone or from a trained model; they never train one."""
