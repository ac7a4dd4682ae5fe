"""Real-time endpoints: deploy an inference pipeline, score it over REST with keys, monitor every call."""
