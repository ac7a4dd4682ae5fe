"""Import Data's server-side fetches: loopback, private and reserved addresses are refused before connecting.

Only local listeners are used. Two witnesses prove that no connection was made: each listener counts the
requests it received, and a Python audit hook records every ``socket.connect`` the test process makes
(it observes, it replaces nothing), which also covers addresses where nothing listens (169.254.169.254).
"""

from __future__ import annotations

import http.server
import socket
import ssl
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest
import trustme

from modules.library.data_input import _fetch
from modules.sdk import DataTable, LocalContext, ModuleError, default_registry

CSV = b"city,rain_mm\nOslo,3.5\nLima,0.0\n"
CONNECTS: list[str] = []
RECORDING = threading.Event()  # set while a test of this file runs: the hook stays for the whole session


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect" and RECORDING.is_set() and isinstance(args[1], tuple):
        CONNECTS.append(str(args[1][0]))


sys.addaudithook(_audit)


def run(module_id: str, inputs: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    cls = default_registry().get(module_id)
    return cls().run(dict(inputs or {}), cls.parse_params(params), LocalContext())


class Listener:
    """A local HTTP server on ``host``: ``routes`` maps a path to (status, headers, body); ``hits`` counts."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        routes: dict[str, Any] | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.hits: list[str] = []
        self.hosts: list[str] = []  # the Host header of each request
        self.routes = routes if routes is not None else {"/data.csv": (200, {}, CSV)}
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                listener.hits.append(self.path)
                listener.hosts.append(self.headers.get("Host", ""))
                status, headers, body = listener.routes.get(self.path, (404, {}, b"missing"))
                self.send_response(status)
                for key, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                return None

        server_class = type(
            "Server",
            (http.server.ThreadingHTTPServer,),
            {"address_family": socket.AF_INET6 if ":" in host else socket.AF_INET},
        )
        self.server = server_class((host, port), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.host = host
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str = "/data.csv") -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listen() -> Iterator[Callable[..., Listener]]:
    started: list[Listener] = []

    def start(host: str = "127.0.0.1", port: int = 0, routes: dict[str, Any] | None = None) -> Listener:
        started.append(Listener(host, port, routes))
        return started[-1]

    yield start
    for listener in started:
        listener.close()


@pytest.fixture(autouse=True)
def no_allowed_networks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("TESSERA_FETCH_ALLOWED_NETWORKS", raising=False)
    CONNECTS.clear()
    RECORDING.set()
    yield
    RECORDING.clear()


def _refused(url: str, param: str = "url", **params: Any) -> ModuleError:
    source: dict[str, Any] = {"url": url}
    if param == "path":
        source = {"data_source": "Path or object-store URL", "path": url}
    with pytest.raises(ModuleError) as caught:
        run("import_data", None, **source, **{"file_format": "CSV", **params})
    assert caught.value.param == param
    return caught.value


@pytest.mark.parametrize(
    ("host", "named"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("0.0.0.0", "0.0.0.0"),  # reaches the loopback listener when not refused
        ("localhost", "localhost"),  # a name resolving to loopback
        ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"),  # IPv4-mapped IPv6
        ("2130706433", "2130706433"),  # 127.0.0.1 as one number: the resolver's answer is what is checked
    ],
)
def test_loopback_is_refused_before_connecting(listen, host, named):
    target = listen("127.0.0.1")

    error = _refused(f"http://{host}:{target.port}/data.csv")

    assert f"'{named}'" in error.message and "TESSERA_FETCH_ALLOWED_NETWORKS" in error.message
    assert target.hits == [] and CONNECTS == []


def test_ipv6_loopback_is_refused_before_connecting(listen):
    target = listen("::1")

    error = _refused(target.url())

    assert "'::1'" in error.message
    assert target.hits == [] and CONNECTS == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "http://10.20.30.40:8080/data.csv",
        "http://192.168.1.10/data.csv",
        "http://172.16.0.5/data.csv",
        "http://100.64.0.1/data.csv",  # carrier-grade NAT
        "http://224.0.0.1/data.csv",  # multicast
        "http://240.0.0.1/data.csv",  # reserved
        "http://[fe80::1]/data.csv",
        "http://[fd00::2]/data.csv",  # unique local
        "http://[::]/data.csv",
        "http://[ff02::1]/data.csv",
        "http://[::ffff:169.254.169.254]/latest/meta-data/",
        "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",  # NAT64 of 169.254.169.254
    ],
)
def test_private_link_local_and_reserved_addresses_are_refused_before_connecting(url):
    error = _refused(url)

    assert "loopback, private, link-local, multicast or reserved" in error.message
    assert CONNECTS == []


def test_a_redirect_from_an_allowed_server_to_loopback_is_not_followed(listen, monkeypatch):
    inside = listen("127.0.0.2")
    allowed = listen("127.0.0.1", routes={"/data.csv": (302, {"Location": inside.url("/secret.csv")}, b"")})
    monkeypatch.setenv("TESSERA_FETCH_ALLOWED_NETWORKS", "127.0.0.1/32")

    error = _refused(allowed.url())

    assert "'127.0.0.2' (where the server redirected)" in error.message
    assert allowed.hits == ["/data.csv"] and inside.hits == []
    assert "127.0.0.2" not in CONNECTS


def test_a_redirect_to_a_name_resolving_to_loopback_is_not_followed(listen, monkeypatch):
    allowed = listen("127.0.0.2", routes={"/data.csv": (301, {"Location": "http://localhost/admin"}, b"")})
    monkeypatch.setenv("TESSERA_FETCH_ALLOWED_NETWORKS", "127.0.0.2/32")

    error = _refused(allowed.url())

    assert "'localhost'" in error.message
    assert allowed.hits == ["/data.csv"] and set(CONNECTS) == {"127.0.0.2"}


def test_allowed_networks_let_a_local_csv_through_following_redirects(listen, monkeypatch):
    server = listen(routes={"/old.csv": (308, {"Location": "/data.csv"}, b""), "/data.csv": (200, {}, CSV)})
    monkeypatch.setenv("TESSERA_FETCH_ALLOWED_NETWORKS", "127.0.0.1/32, 10.0.0.0/8")

    df = run("import_data", url=server.url("/old.csv"))["dataset"].df

    assert df.to_dict("records") == [{"city": "Oslo", "rain_mm": 3.5}, {"city": "Lima", "rain_mm": 0.0}]
    assert server.hits == ["/old.csv", "/data.csv"]


def test_an_allowed_ipv6_listener_is_fetched(listen, monkeypatch):
    server = listen("::1")
    monkeypatch.setenv("TESSERA_FETCH_ALLOWED_NETWORKS", "::1/128")

    df = run("import_data", url=server.url())["dataset"].df

    assert len(df) == 2 and server.hits == ["/data.csv"] and server.hosts == [f"[::1]:{server.port}"]


def test_a_redirect_loop_stops_after_five_hops(listen, monkeypatch):
    server = listen(routes={"/data.csv": (302, {"Location": "/data.csv"}, b"")})
    monkeypatch.setenv("TESSERA_FETCH_ALLOWED_NETWORKS", "127.0.0.1")

    error = _refused(server.url())

    assert "more than 5 times" in error.message and len(server.hits) == 6


def test_a_host_answering_one_public_and_one_loopback_address_is_refused(listen):
    target = listen("127.0.0.1")
    answers = {"mixed.test": ["93.184.216.34", "127.0.0.1"]}

    with pytest.raises(ModuleError) as caught:
        _fetch.fetch(
            f"http://mixed.test:{target.port}/data.csv",
            param="url",
            max_bytes=1024,
            timeout=5,
            resolve=lambda host, port: answers[host],
        )

    assert "'mixed.test'" in caught.value.message
    assert target.hits == [] and CONNECTS == []


def test_a_dns_answer_that_changes_after_the_check_does_not_reach_loopback(listen):
    # The allowed listener stands in for a public address; the same port on 127.0.0.1 is the loopback
    # service the second DNS answer points at. `localhost` also resolves there through the system, so a
    # fetcher that checked one answer but connected by name would reach it.
    for _ in range(5):  # the same port on both addresses; another process may hold it on 127.0.0.1
        checked = listen("127.0.0.2", routes={"/data.csv": (200, {}, CSV)})
        try:
            loopback = listen("127.0.0.1", checked.port, routes={"/data.csv": (200, {}, b"secret\nloopback\n")})
            break
        except OSError:
            continue
    answers = iter([["127.0.0.2"]])
    calls: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        calls.append(host)
        return next(answers, ["127.0.0.1"])

    body = _fetch.fetch(
        f"http://localhost:{checked.port}/data.csv",
        param="url",
        max_bytes=1024,
        timeout=5,
        allowed=[_network("127.0.0.2/32")],
        resolve=rebinding,
    )

    assert body == CSV
    assert checked.hits == ["/data.csv"] and loopback.hits == []
    assert CONNECTS == ["127.0.0.2"] and calls == ["localhost"]
    assert checked.hosts == [f"localhost:{checked.port}"]  # the URL's name, not the pinned address


def test_https_connects_to_the_checked_address_and_verifies_the_name(tmp_path):
    authority = trustme.CA()
    certificate = authority.issue_cert("data.tessera.test")
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    server = Listener("127.0.0.1", tls=context)
    fetch: dict[str, Any] = {"param": "url", "max_bytes": 1024, "timeout": 5, "allowed": [_network("127.0.0.1/32")]}
    try:
        body = _fetch.fetch(
            f"https://data.tessera.test:{server.port}/data.csv",
            resolve=lambda host, port: ["127.0.0.1"] if host == "data.tessera.test" else [],
            ca_certs=str(ca_file),
            **fetch,
        )
        with pytest.raises(ModuleError) as wrong_name:
            _fetch.fetch(f"https://127.0.0.1:{server.port}/data.csv", ca_certs=str(ca_file), **fetch)
    finally:
        server.close()

    assert body == CSV and server.hits == ["/data.csv"]
    assert wrong_name.value.message.startswith(f"could not fetch https://127.0.0.1:{server.port}/data.csv")


def test_the_refusal_reads_the_same_whether_the_port_is_open_or_closed(listen):
    open_port = listen("127.0.0.1").port
    closed_port = _free_port()

    refused_open = _refused(f"http://127.0.0.1:{open_port}/data.csv").message
    refused_closed = _refused(f"http://127.0.0.1:{closed_port}/data.csv").message

    assert refused_open == refused_closed


def test_failures_on_an_allowed_host_read_the_same_whatever_the_port_state(monkeypatch):
    monkeypatch.setenv("TESSERA_FETCH_ALLOWED_NETWORKS", "127.0.0.1/32")
    closed_port = _free_port()
    with RawListener(b"") as silent_close, RawListener(b"SSH-2.0-OpenSSH_9.2\r\n") as other_protocol:
        messages = {
            port: _refused(f"http://127.0.0.1:{port}/data.csv").message.replace(str(port), "PORT")
            for port in (closed_port, silent_close, other_protocol)
        }

    assert len(set(messages.values())) == 1
    assert messages[closed_port].startswith("could not fetch http://127.0.0.1:PORT/data.csv")


def test_an_http_path_goes_through_the_same_guard(listen):
    target = listen("127.0.0.1")

    error = _refused(target.url(), param="path")

    assert "'127.0.0.1'" in error.message and target.hits == [] and CONNECTS == []


@pytest.mark.parametrize(
    "location",
    [
        "simplecache::file:///etc/hostname",  # chained URLs would step around TESSERA_IMPORT_ROOTS
        "ftp://127.0.0.1/data.csv",
        "webhdfs://127.0.0.1:9870/data.csv",
        "memory://data.csv",
    ],
)
def test_paths_accept_only_object_stores_and_refuse_other_protocols(location):
    error = _refused(location, param="path")

    assert "neither a server path nor an object-store URL" in error.message and CONNECTS == []


@pytest.mark.parametrize("location", ["http://127.0.0.1:9/out.csv", "ftp://127.0.0.1/out.csv"])
def test_export_data_writes_to_no_url_but_object_stores(location):
    with pytest.raises(ModuleError) as caught:
        run("export_data", {"dataset": DataTable(pd.DataFrame({"a": [1]}))}, path=location)

    assert caught.value.param == "path" and CONNECTS == []


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.216.34"],
)
def test_public_addresses_are_allowed(address):
    assert _fetch.is_allowed(address)


@pytest.mark.parametrize(
    ("address", "network"),
    [("10.1.2.3", "10.0.0.0/8"), ("::ffff:127.0.0.1", "127.0.0.0/8"), ("fd00::2", "fd00::/8")],
)
def test_an_allowed_network_lets_its_addresses_through_and_only_those(address, network):
    assert _fetch.is_allowed(address, [_network(network)])
    assert not _fetch.is_allowed(address, [_network("192.168.0.0/16")])


def test_a_malformed_allowed_networks_setting_is_named(monkeypatch):
    monkeypatch.setenv("TESSERA_FETCH_ALLOWED_NETWORKS", "127.0.0.1/32, intranet")

    error = _refused("http://example.invalid/data.csv")

    assert "TESSERA_FETCH_ALLOWED_NETWORKS lists 'intranet'" in error.message and CONNECTS == []


def _network(cidr: str) -> Any:
    import ipaddress

    return ipaddress.ip_network(cidr)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RawListener:
    """A TCP listener on 127.0.0.1 that writes ``greeting`` to each connection and closes it."""

    def __init__(self, greeting: bytes) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.greeting = greeting
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.sendall(self.greeting)

    def __enter__(self) -> int:
        return int(self.sock.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        self.sock.close()
