"""An endpoint whose pipeline runs in an environment builds it on the deploying host before it goes live:
a package the index lacks refuses the deployment, naming the node and the requirement line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from designer.endpoints.models import Endpoint
from designer.endpoints.services import CannotServe, create_endpoint
from designer.environments.services import create_environment
from designer.pipelines.services import create_pipeline
from tests.support.package_index import serve, write_index, write_wheel
from tests.support.pipelines import document

pytestmark = pytest.mark.django_db


def test_deploying_builds_the_environment_first_so_a_missing_package_refuses_naming_node_and_line(
    owner: Any, workspace: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_index(tmp_path / "index", [write_wheel(tmp_path, "tessera_probe_pkg", "1.0", "ANSWER = 42\n")])
    monkeypatch.setenv("TESSERA_ENVIRONMENTS_DIR", str(tmp_path / "environments"))
    bad = create_environment(owner, workspace, name="absent", requirements=["tessera-absent-pkg==2.0"])
    needs_bad = create_pipeline(
        owner,
        workspace,
        "Needs absent",
        document=document([("py", "execute_python_script", {"environment": bad.versions.get().choice()})], []),
    )
    with serve(tmp_path / "index") as url:
        monkeypatch.setenv("TESSERA_PACKAGE_INDEX_URL", url)
        with pytest.raises(CannotServe) as refused:
            create_endpoint(workspace=workspace, user=owner, name="absent", pipeline=needs_bad)

    detail = str(refused.value.detail)
    assert "node 'py'" in detail and "requirement line 1 ('tessera-absent-pkg==2.0') cannot be installed" in detail
    assert not Endpoint.objects.filter(workspace=workspace).exists()
