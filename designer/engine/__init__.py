"""The graph runtime: pipeline JSON, validation, planning, cache keys, artifacts, executing a node. Never imports Django, Celery or Channels."""  # noqa: E501
