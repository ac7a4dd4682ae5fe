"""Components from the SDK and the `tessera component` commands, against the live server."""

from __future__ import annotations

import json

import pytest
from tessera_client import Workspace

from designer.components.models import ComponentVersion
from tests.designer.components.helpers import prep_document

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_sdk_pushes_a_component_and_its_versions(server, http, lab):
    ws = Workspace(url=server.url, token=http.token, workspace=lab.pk)

    created = ws.components.push(prep_document(), name="Prep", message="first")
    unchanged = ws.components.push(prep_document(), name="Prep")
    changed = ws.components.push(prep_document("MinMax"), name="Prep", message="minmax")

    assert (created.created, created.version) == (True, 1)
    assert (unchanged.created, unchanged.changed, unchanged.version) == (False, False, 1)
    assert (changed.changed, changed.version) == (True, 2)
    component = ws.components.get("Prep")
    assert [v["number"] for v in component.versions()] == [2, 1]
    assert component.document(1) == prep_document()
    assert [e["name"] for e in ws.components.catalogue()] == ["Prep"]


def test_the_cli_lists_pushes_pulls_and_shows_versions(tessera, tmp_path, lab):
    source = tmp_path / "prep.json"
    source.write_text(json.dumps(prep_document()))
    edited = tmp_path / "prep2.json"
    edited.write_text(json.dumps(prep_document("MinMax")))

    first = tessera("component", "push", str(source), "--name", "Prep", "-m", "first")
    second = tessera("component", "push", str(edited), "--name", "Prep", "-m", "minmax")
    listed = tessera("component", "list", "--output", "json")
    versions = tessera("component", "versions", "Prep", "--output", "json")
    pulled = tessera("component", "pull", "Prep", "--version", "1", "--out", str(tmp_path / "back.json"))

    assert first.code == 0, first.stderr
    assert "created component 'Prep'" in first.stdout + first.stderr
    assert second.code == 0 and "saved version 2" in second.stdout + second.stderr
    assert [(c["name"], c["latest_version"]) for c in json.loads(listed.stdout)] == [("Prep", 2)]
    assert [(v["number"], v["message"]) for v in json.loads(versions.stdout)] == [(2, "minmax"), (1, "first")]
    assert pulled.code == 0, pulled.stderr
    assert json.loads((tmp_path / "back.json").read_text()) == prep_document()
    assert ComponentVersion.objects.filter(component__workspace=lab).count() == 2
