"""The bundled module library, discovered by convention: every Module subclass with an ``id``."""
