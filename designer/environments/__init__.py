"""Environments: named, versioned sets of Python requirement lines a workspace's scripts run with."""
