"""Fixtures for the designer apps: a team workspace with one member per role, API clients per role."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from designer.datasets.models import Dataset
from designer.datasets.samples import SAMPLES
from designer.workspaces.models import Membership, Workspace
from tests.support.processes import Server, WorkerPool

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


# -- real processes: one worker pool and one live server for the whole Django run -------------------
# Defined here, not re-imported by each folder's conftest: a session fixture imported into two
# conftests is two fixtures, and two pools of workers on one queue take each other's tasks.


@pytest.fixture(scope="session")
def worker_pool(django_db_setup: Any, django_db_blocker: Any) -> Iterator[WorkerPool]:
    pool = WorkerPool(size=2)
    _POOLS.append(pool)
    try:
        yield pool
    finally:
        pool.stop()
        _POOLS.remove(pool)


_POOLS: list[WorkerPool] = []


@pytest.fixture(autouse=True)
def _no_stray_workers(request: pytest.FixtureRequest) -> None:
    """A test without ``workers`` gets none: workers an earlier test left alive would take the nodes it
    expects to stay queued (they are started again, once, by the next test that asks for them)."""
    if "worker_pool" in request.fixturenames:
        return
    for pool in _POOLS:
        if any(w.alive for w in pool.workers):
            pool.stop()


@pytest.fixture
def workers(worker_pool: WorkerPool, transactional_db: Any) -> WorkerPool:
    """Two live Celery workers (solo pool each) on the test database and Redis."""
    _purge_queues()
    worker_pool.ensure()
    return worker_pool


def _purge_queues() -> None:
    from designer.celery import app

    with app.connection_for_write() as conn:
        for queue in ("cpu", "gpu"):
            with contextlib.suppress(Exception):  # the queue may not exist yet
                conn.default_channel.queue_purge(queue)


@pytest.fixture(scope="session")
def server(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Server]:
    s = Server()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def ada(transactional_db: Any) -> Any:
    """A user committed to the database, so worker and server processes see her."""
    return get_user_model().objects.create_user("ada", "ada@example.com", "pw-ada-123456")


@pytest.fixture
def lab(ada: Any) -> Workspace:
    ws = Workspace.objects.create(name="Lab", created_by=ada)
    Membership.objects.create(workspace=ws, user=ada, role="owner")
    return ws


@pytest.fixture
def http(server: Server, ada: Any) -> Iterator[httpx.Client]:
    """An HTTP client of the live server, authenticated with ada's API token."""
    token = Token.objects.create(user=ada)
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Token {token.key}"}, timeout=30) as c:
        c.token = token.key  # type: ignore[attr-defined]
        yield c
