"""Tessera's module library and the SDK it is written with. Plain Python: never import Django, Celery or Channels."""
