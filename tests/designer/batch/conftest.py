from tests.designer.endpoints.conftest import trained_run  # noqa: F401 - a completed run, executed in-process
