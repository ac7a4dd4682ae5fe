from tests.designer.endpoints.conftest import live, trained_run  # noqa: F401 - the fixtures, shared
