"""Modules that run user-written Python in a separate, limited process; nothing here imports or unpickles results."""
