"""Failed sign-ins are throttled per username and per client address, on both sign-in routes.

The counts live in Redis and outlast a test, so every test signs in as users and from addresses of its
own (documentation addresses, 2001:db8::/32, a fresh /64 each) and sets the limits it needs.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "pw-right-123456"
ROUTES = ["/api/auth/login/", "/api/auth/token/"]


@pytest.fixture(autouse=True)
def limits(settings: Any) -> Any:
    settings.TESSERA_LOGIN_FAILURES_PER_ACCOUNT = 10
    settings.TESSERA_LOGIN_FAILURES_PER_CLIENT = 30
    settings.TESSERA_FAILURE_WINDOW_SECONDS = 300
    return settings


@pytest.fixture
def address() -> Callable[[], str]:
    """A client address no other test (or earlier run) has used."""
    return lambda: f"2001:db8:{secrets.randbelow(0xFFFF):x}:{secrets.randbelow(0xFFFF):x}::1"


@pytest.fixture
def person() -> Callable[..., Any]:
    def make(staff: bool = False) -> Any:
        name = f"thr_{secrets.token_hex(4)}"
        return get_user_model().objects.create_user(name, password=PASSWORD, is_staff=staff, is_superuser=staff)

    return make


def sign_in(route: str, username: str, password: str, ip: str) -> Any:
    return APIClient().post(route, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip)


def signed_in(route: str, response: Any, user: Any) -> bool:
    if route.endswith("/token/"):
        return Token.objects.filter(user=user).exists()
    return "sessionid" in response.cookies


@pytest.mark.parametrize("route", ROUTES)
def test_forty_wrong_passwords_then_the_right_one_is_refused_with_429(route: str, person: Any, address: Any) -> None:
    user, ip = person(), address()

    statuses = [sign_in(route, user.username, "wrong-guess", ip).status_code for _ in range(40)]
    right = sign_in(route, user.username, PASSWORD, ip)

    assert statuses == [400] * 9 + [429] * 31
    assert right.status_code == 429
    wait = int(right["Retry-After"])
    assert 290 <= wait <= 300
    assert right.json() == {
        "detail": f"Too many failed sign-ins for this username or from this address. Expected available in {wait} "
        "seconds."
    }
    assert not signed_in(route, right, user)


@pytest.mark.parametrize("route", ROUTES)
def test_a_locked_account_is_refused_from_another_address_too(route: str, person: Any, address: Any) -> None:
    user = person()
    for _ in range(10):
        sign_in(route, user.username, "wrong-guess", address())  # a new address for every guess

    right = sign_in(route, user.username, PASSWORD, address())
    other = person()
    other_ok = sign_in(route, other.username, PASSWORD, address())

    assert right.status_code == 429 and "Retry-After" in right
    assert not signed_in(route, right, user)
    assert other_ok.status_code == 200  # the lock is this account's, nobody else's


@pytest.mark.parametrize("route", ROUTES)
def test_an_address_past_its_limit_is_refused_for_every_account(route: str, person: Any, address: Any) -> None:
    ip, elsewhere = address(), address()
    for _ in range(5):  # 30 failures from one address, 6 per account: no account reaches its own limit
        user = person()
        for _ in range(6):
            assert sign_in(route, user.username, "wrong-guess", ip).status_code in (400, 429)

    newcomer = person()
    refused = sign_in(route, newcomer.username, PASSWORD, ip)
    from_elsewhere = sign_in(route, newcomer.username, PASSWORD, elsewhere)

    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert from_elsewhere.status_code == 200


def test_signing_in_between_failures_resets_nothing(person: Any, address: Any) -> None:
    user, ip = person(), address()
    route = "/api/auth/token/"
    for _ in range(9):
        sign_in(route, user.username, "wrong-guess", ip)

    ok = sign_in(route, user.username, PASSWORD, ip)
    tenth = sign_in(route, user.username, "wrong-guess", ip)
    again = sign_in(route, user.username, PASSWORD, ip)

    assert (ok.status_code, tenth.status_code, again.status_code) == (200, 429, 429)


def test_the_lock_lasts_one_window_and_attempts_during_it_are_not_counted(
    limits: Any, person: Any, address: Any
) -> None:
    limits.TESSERA_FAILURE_WINDOW_SECONDS = 2
    limits.TESSERA_LOGIN_FAILURES_PER_ACCOUNT = 3
    user, ip = person(), address()
    route = "/api/auth/login/"
    failures = [sign_in(route, user.username, "wrong-guess", ip).status_code for _ in range(3)]
    during = [sign_in(route, user.username, PASSWORD, ip).status_code for _ in range(5)]

    time.sleep(2.2)
    wrong_after = sign_in(route, user.username, "wrong-guess", ip)
    right_after = sign_in(route, user.username, PASSWORD, ip)

    assert failures == [400, 400, 429]
    assert during == [429] * 5
    assert wrong_after.status_code == 400  # a fresh allowance, not still locked by the attempts above
    assert right_after.status_code == 200 and signed_in(route, right_after, user)


def test_the_admin_login_form_refuses_a_locked_account(person: Any, address: Any) -> None:
    admin, ip = person(staff=True), address()
    for _ in range(10):
        sign_in("/api/auth/token/", admin.username, "wrong-guess", ip)
    browser = Client(REMOTE_ADDR=ip)

    response = browser.post("/admin/login/?next=/admin/", {"username": admin.username, "password": PASSWORD})

    assert response.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in browser.session


def test_a_request_without_a_username_is_not_counted_against_anyone(address: Any) -> None:
    ip = address()
    for _ in range(40):
        response = APIClient().post("/api/auth/token/", {"password": "x"}, format="json", REMOTE_ADDR=ip)
        assert response.status_code == 400


def test_behind_a_proxy_the_address_it_forwarded_counts_not_the_proxys_or_a_spoofed_one(
    limits: Any, person: Any, address: Any
) -> None:
    limits.TESSERA_PROXY_COUNT = 1
    limits.TESSERA_LOGIN_FAILURES_PER_CLIENT = 5
    proxy, attacker, bystander = address(), address(), address()

    def via_proxy(user: Any, password: str, client: str, spoofed: str = "") -> Any:
        forwarded = f"{spoofed}, {client}" if spoofed else client
        return APIClient().post(
            "/api/auth/token/",
            {"username": user.username, "password": password},
            format="json",
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for i in range(5):  # each guess claims another origin; the proxy's own entry is the one that counts
        via_proxy(person(), "wrong-guess", attacker, spoofed=f"2001:db8:ffff:{i}::1")

    assert via_proxy(person(), PASSWORD, attacker).status_code == 429
    assert via_proxy(person(), PASSWORD, bystander).status_code == 200


def test_addresses_in_one_ipv6_64_count_as_one_client(limits: Any, person: Any, address: Any) -> None:
    limits.TESSERA_LOGIN_FAILURES_PER_CLIENT = 5
    network = address().removesuffix("::1")
    for i in range(5):
        sign_in("/api/auth/token/", person().username, "wrong-guess", f"{network}::{i + 10:x}")

    refused = sign_in("/api/auth/token/", person().username, PASSWORD, f"{network}::ffff")

    assert refused.status_code == 429
