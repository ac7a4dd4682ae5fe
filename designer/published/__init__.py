"""Published pipelines: a pipeline's versions behind a stable name and keys, started by REST, schedules, data
triggers or retraining; every run they start says why. Thin over runs.services.submit_run."""
