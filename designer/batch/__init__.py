"""Batch inference: a pipeline derived from a training run that scores whole datasets in mini-batches on the
workers (Parallel Run), its scored rows saved as a dataset version. No models of its own: the pipeline is
an ordinary pipeline, run by ``runs.services.submit_run`` like any other."""
