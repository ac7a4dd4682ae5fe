"""Schedules and data triggers: start a published pipeline's runs at times (Celery beat with the database
scheduler) or when a dataset gets a new version. They decide only when and with which values; every run
starts through ``published.services.start_run``, which records why. Not a scheduler loop of our own."""
