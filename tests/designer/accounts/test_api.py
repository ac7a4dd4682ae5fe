"""Signing in: sessions (with CSRF) for the browser, tokens for scripts, and who am I."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from designer.workspaces.models import Workspace
from tests.designer.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_starts_a_session_and_me_lists_my_workspaces(owner: Any, workspace: Workspace) -> None:
    # given a browser that fetched the CSRF cookie first
    client = APIClient(enforce_csrf_checks=True)
    csrf = client.get("/api/auth/csrf/")
    assert csrf.status_code == 200
    token = client.cookies["csrftoken"].value
    # when it signs in
    response = client.post(
        "/api/auth/login/", {"username": "olivia", "password": PASSWORD}, format="json", HTTP_X_CSRFTOKEN=token
    )
    # then the session knows the user and /me lists the workspaces with roles
    assert response.status_code == 200
    assert response.json()["username"] == "olivia"
    me = client.get("/api/auth/me/")
    assert me.status_code == 200
    assert me.json() == {
        "id": owner.pk,
        "username": "olivia",
        "email": "olivia@example.com",
        "workspaces": [{"id": workspace.pk, "name": "Team", "role": "owner"}],
    }


def test_login_without_the_csrf_token_is_refused_as_json(owner: Any) -> None:
    client = APIClient(enforce_csrf_checks=True)
    response = client.post("/api/auth/login/", {"username": "olivia", "password": PASSWORD}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF Failed: CSRF cookie not set."}
    assert client.get("/api/auth/me/").status_code == 403


def test_bad_credentials_give_400_without_saying_which_part_was_wrong(owner: Any) -> None:
    client = APIClient()
    wrong_password = client.post("/api/auth/login/", {"username": "olivia", "password": "nope"}, format="json")
    unknown_user = client.post("/api/auth/login/", {"username": "nobody", "password": PASSWORD}, format="json")
    assert wrong_password.status_code == 400
    assert wrong_password.json() == {"detail": "Unable to sign in with that username and password."}
    assert unknown_user.json() == wrong_password.json()
    assert client.get("/api/auth/me/").status_code == 403


def test_an_inactive_user_cannot_sign_in() -> None:
    UserFactory(username="gone", is_active=False)
    response = APIClient().post("/api/auth/login/", {"username": "gone", "password": PASSWORD}, format="json")
    assert response.status_code == 400


def test_missing_fields_are_named(db: Any) -> None:
    response = APIClient().post("/api/auth/login/", {"username": "olivia"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Some fields are invalid.",
        "fields": {"password": ["This field is required."]},
    }


def test_a_body_that_is_not_json_is_a_400_not_a_500(db: Any) -> None:
    response = APIClient().post("/api/auth/login/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("The body is not valid JSON: ")


def test_logout_ends_the_session(owner: Any) -> None:
    client = APIClient()
    client.post("/api/auth/login/", {"username": "olivia", "password": PASSWORD}, format="json")
    assert client.get("/api/auth/me/").status_code == 200
    assert client.post("/api/auth/logout/").status_code == 204
    assert client.get("/api/auth/me/").status_code == 403


def test_a_script_trades_credentials_for_a_token_and_uses_it(owner: Any, workspace: Workspace) -> None:
    # given a script with a username and password
    response = APIClient().post("/api/auth/token/", {"username": "olivia", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=owner).key == key
    # when it calls the API with the token
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = script.get("/api/auth/me/")
    # then it is that user, and asking again gives the same token
    assert me.status_code == 200
    assert me.json()["username"] == "olivia"
    again = APIClient().post("/api/auth/token/", {"username": "olivia", "password": PASSWORD}, format="json")
    assert again.json() == {"token": key}


def test_the_token_endpoint_refuses_bad_credentials(owner: Any) -> None:
    response = APIClient().post("/api/auth/token/", {"username": "olivia", "password": "x"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Unable to sign in with that username and password."}
    assert not Token.objects.exists()


def test_me_needs_a_signed_in_user(db: Any) -> None:
    response = APIClient().get("/api/auth/me/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}
