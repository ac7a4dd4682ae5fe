"""Tessera: the engine (designer.engine, no Django) and the thin Django apps around it."""
