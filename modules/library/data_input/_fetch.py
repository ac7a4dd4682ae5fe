"""Server-side HTTP(S) fetches that a pipeline cannot point at the inside of the operator's network.

A worker sits inside that network, so a URL in a pipeline is checked before any packet is sent: the host
is resolved, and every address it resolves to must be public (not loopback, private, link-local,
multicast, reserved or unspecified, IPv4 inside IPv6 included) unless the operator allows its network in
``TESSERA_FETCH_ALLOWED_NETWORKS``. The connection then goes to the address that was checked (the Host
header and TLS server name stay the URL's), so a DNS answer that changes between check and connect
cannot move it. Redirects are followed here, hop by hop, each hop checked the same way.

Every transport failure reads "could not fetch": the user learns nothing about which ports are open. The
detail goes to the worker's log, which only the operator reads.

Hand-written on urllib3 (which connects to a given address while verifying TLS for a given name): the
SSRF-guard packages on PyPI are either unmaintained (advocate, on requests) or young and little used.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit

import urllib3
import urllib3.util

from modules.sdk import ModuleError

from ._sources import Network

log = logging.getLogger(__name__)

Resolver = Callable[[str, int], list[str]]
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
CHUNK = 64 * 1024
USER_AGENT = "Tessera Import Data"


def system_resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in the resolver's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Target:
    """One hop: where to connect (after the check) and what to ask for."""

    url: str
    https: bool
    host: str  # ASCII, no brackets: what is resolved, verified in TLS and sent as Host
    port: int
    request_uri: str

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == (443 if self.https else 80) else f"{host}:{self.port}"


def fetch(
    url: str,
    *,
    param: str,
    max_bytes: int,
    timeout: float,
    allowed: Sequence[Network] = (),
    resolve: Resolver = system_resolve,
    ca_certs: str | None = None,
    into: BinaryIO | None = None,
) -> bytes:
    """The body of ``url`` (at most ``max_bytes``), fetched only from addresses the guard lets through; with
    ``into``, written there as it arrives instead (``b""`` is returned), never held whole."""
    for hop in range(MAX_REDIRECTS + 1):
        target = parse(url, param)
        addresses = checked_addresses(target, allowed, resolve, param, redirected=hop > 0)
        status, reason, location, body = _get(target, addresses, max_bytes, timeout, ca_certs, param, into)
        if status in REDIRECTS and location:
            url = urljoin(target.url, location)
            continue
        if status >= 400:
            raise ModuleError(f"the server answered {status} {reason} for {target.url}", param=param)
        if status >= 300:
            raise ModuleError(f"the server answered {status} {reason} without a usable redirect", param=param)
        return body
    raise ModuleError(f"{url} redirects more than {MAX_REDIRECTS} times; give the final address", param=param)


def parse(url: str, param: str) -> Target:
    """A hop of an http(s) URL, or a ModuleError saying what is wrong with it."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        uri = urllib3.util.parse_url(url.strip()).request_uri
    except ValueError:
        raise ModuleError(f"'{url}' is not a valid URL", param=param) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ModuleError(f"'{url}' is not an http:// or https:// URL", param=param)
    if parts.username is not None or parts.password is not None:
        raise ModuleError("the URL carries a user name or password; Tessera does not send them", param=param)
    host = parts.hostname or ""
    if not host:
        raise ModuleError(f"'{url}' names no host", param=param)
    if ":" not in host:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise ModuleError(f"'{parts.hostname}' is not a valid host name", param=param) from None
    https = scheme == "https"
    return Target(url.strip(), https, host, port or (443 if https else 80), uri)


def checked_addresses(
    target: Target, allowed: Sequence[Network], resolve: Resolver, param: str, redirected: bool = False
) -> list[str]:
    """The addresses ``target.host`` resolves to, all of them allowed; else a ModuleError naming the host."""
    try:
        addresses = resolve(target.host, target.port)
    except (OSError, UnicodeError):
        addresses = []
    if not addresses:
        raise ModuleError(f"could not fetch {target.url}: the host name '{target.host}' does not resolve", param=param)
    if any(not is_allowed(address, allowed) for address in addresses):
        where = f"'{target.host}' (where the server redirected)" if redirected else f"'{target.host}'"
        raise ModuleError(
            f"{where} is on a loopback, private, link-local, multicast or reserved network, which Import Data "
            "does not fetch from; the operator can allow networks in TESSERA_FETCH_ALLOWED_NETWORKS",
            param=param,
        )
    return addresses


def is_allowed(address: str, allowed: Sequence[Network] = ()) -> bool:
    """Whether a connection to ``address`` may be made: a public address, or one in an allowed network."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    candidates: list[Address] = [ip]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:  # ::ffff:a.b.c.d is a.b.c.d on the wire
        candidates = [ip.ipv4_mapped]
    elif isinstance(ip, ipaddress.IPv6Address):  # 6to4 and NAT64 carry an IPv4 that must pass too
        embedded = ip.sixtofour
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            candidates.append(embedded)
    if any(candidate in network for candidate in candidates for network in allowed):
        return True
    return all(_public(candidate) for candidate in candidates)


def _public(ip: Address) -> bool:
    special = ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
    site_local = isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local
    return ip.is_global and not (special or ip.is_unspecified or site_local)


def _get(
    target: Target,
    addresses: list[str],
    max_bytes: int,
    timeout: float,
    ca_certs: str | None,
    param: str,
    into: BinaryIO | None = None,
) -> tuple[int, str, str | None, bytes]:
    """GET ``target`` from the first of ``addresses`` that answers: status, reason, Location, body."""
    failure: Exception | None = None
    for address in addresses:
        pool = _pool(target, address, timeout, ca_certs)
        try:
            response = pool.urlopen(
                "GET",
                target.request_uri,
                headers={"Host": target.host_header, "User-Agent": USER_AGENT},
                redirect=False,
                retries=False,
                assert_same_host=False,
                preload_content=False,
            )
        except urllib3.exceptions.NewConnectionError as exc:  # nothing was sent: the next address may answer
            failure = exc
            pool.close()
            continue
        except urllib3.exceptions.HTTPError as exc:
            pool.close()
            raise _unreachable(target, exc, param) from None
        try:
            if response.status in REDIRECTS:
                return response.status, response.reason or "", response.headers.get("Location"), b""
            body = _read(response, max_bytes, param, into) if response.status < 300 else b""
            return response.status, response.reason or "", None, body
        except urllib3.exceptions.HTTPError as exc:
            raise _unreachable(target, exc, param) from None
        finally:
            response.release_conn()
            pool.close()
    raise _unreachable(target, failure, param)


def _pool(target: Target, address: str, timeout: float, ca_certs: str | None) -> urllib3.HTTPConnectionPool:
    limits = urllib3.Timeout(connect=timeout, read=timeout)
    if not target.https:
        return urllib3.HTTPConnectionPool(address, target.port, timeout=limits, retries=False, maxsize=1)
    return urllib3.HTTPSConnectionPool(
        address,
        target.port,
        timeout=limits,
        retries=False,
        maxsize=1,
        cert_reqs="CERT_REQUIRED",
        ca_certs=ca_certs,
        server_hostname=target.host,  # SNI and the certificate check use the URL's name, not the address
        assert_hostname=target.host,
    )


def _read(response: urllib3.BaseHTTPResponse, max_bytes: int, param: str, into: BinaryIO | None = None) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.stream(CHUNK, decode_content=True):
        size += len(chunk)
        if size > max_bytes:
            raise ModuleError(f"the file is larger than the {max_bytes // (1024 * 1024)} MB import limit", param=param)
        if into is not None:
            into.write(chunk)
        else:
            chunks.append(chunk)
    return b"".join(chunks)


def _unreachable(target: Target, exc: Exception | None, param: str) -> ModuleError:
    log.info("fetching %s failed: %r", target.url, exc)
    return ModuleError(
        f"could not fetch {target.url}: the server did not answer (no connection, a timeout or a TLS failure)",
        param=param,
    )
