"""Fixtures for the designer apps: a team workspace with one member per role, API clients per role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from designer.datasets.models import Dataset
from designer.datasets.samples import SAMPLES
from designer.workspaces.models import Workspace

from .factories import DatasetFactory, MembershipFactory, UserFactory, WorkspaceFactory


@pytest.fixture(autouse=True)
def fresh_channel_layer() -> Any:
    """A new channel layer for every test. channels_redis binds its receive lock and connections to the
    event loop that first used them; each async test runs in a loop of its own that ends with it, so a
    layer kept from an earlier test can fail with "bound to a different event loop"."""
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def owner(db: Any) -> Any:
    return UserFactory(username="olivia")


@pytest.fixture
def editor(db: Any) -> Any:
    return UserFactory(username="eddie")


@pytest.fixture
def viewer(db: Any) -> Any:
    return UserFactory(username="vera")


@pytest.fixture
def outsider(db: Any) -> Any:
    return UserFactory(username="otto")


@pytest.fixture
def workspace(owner: Any, editor: Any, viewer: Any) -> Workspace:
    """'Team': olivia owns it, eddie edits, vera views; otto is not a member."""
    ws = WorkspaceFactory(name="Team", created_by=owner)
    MembershipFactory(workspace=ws, user=editor, role="editor")
    MembershipFactory(workspace=ws, user=viewer, role="viewer")
    return ws


@pytest.fixture
def other_workspace(outsider: Any) -> Workspace:
    """A workspace only otto belongs to."""
    return WorkspaceFactory(name="Elsewhere", created_by=outsider)


@pytest.fixture
def api() -> Callable[[Any], APIClient]:
    """``api(user)``: a client authenticated as ``user`` (``api(None)`` for an anonymous one)."""

    def make(user: Any = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def as_owner(api: Callable[[Any], APIClient], owner: Any, workspace: Workspace) -> APIClient:
    return api(owner)


@pytest.fixture
def as_editor(api: Callable[[Any], APIClient], editor: Any, workspace: Workspace) -> APIClient:
    return api(editor)


@pytest.fixture
def as_viewer(api: Callable[[Any], APIClient], viewer: Any, workspace: Workspace) -> APIClient:
    return api(viewer)


@pytest.fixture
def as_outsider(api: Callable[[Any], APIClient], outsider: Any, other_workspace: Workspace) -> APIClient:
    return api(outsider)


@pytest.fixture
def dataset(workspace: Workspace, owner: Any) -> Dataset:
    """'Iris' in the team workspace: 6 rows, 5 columns, uploaded as CSV by olivia."""
    return DatasetFactory(workspace=workspace, name="Iris", created_by=owner)


@pytest.fixture
def sample_dataset(workspace: Workspace, owner: Any) -> Dataset:
    """The bundled Iris sample (150 rows) uploaded as a CSV file into the team workspace."""
    df = next(s for s in SAMPLES if s.label_column == "species").build()
    return DatasetFactory(workspace=workspace, name="Iris flowers", created_by=owner, csv=df.to_csv(index=False))


@pytest.fixture(scope="session", autouse=True)
def _no_stray_connections(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """Close sessions left by threads and child processes so the test database can be dropped cleanly."""
    yield
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity "
            "where datname = current_database() and pid <> pg_backend_pid()"
        )
