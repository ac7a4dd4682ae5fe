"""Runs: submit pipeline versions, schedule node tasks on Celery, publish status events. No ML logic here."""
