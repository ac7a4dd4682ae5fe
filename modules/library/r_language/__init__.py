"""Modules that run user-written R in a separate, limited process (the Python sandbox); nothing here sources R."""
