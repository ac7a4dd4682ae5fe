"""Where Import Data and Export Data may read and write: operator settings, never pipeline secrets.

- ``TESSERA_IMPORT_ROOTS``: directories (separated by ``os.pathsep``) that server-side paths must be
  inside; none set means server paths are off. Object-store URLs (``s3://``, ``gs://``...) go through
  fsspec and need its backend installed.
- ``TESSERA_DATA_CONNECTIONS``: JSON mapping a connection name to a SQLAlchemy URL. Pipelines name the
  connection, so credentials live with the operator, not in a document teammates can read or export.
- ``TESSERA_IMPORT_MAX_MB``: the largest file or HTTP body read (default 200).
- ``TESSERA_FETCH_ALLOWED_NETWORKS``: networks (CIDRs, separated by commas or spaces) that HTTP fetches may
  reach although they are loopback, private, link-local or reserved; none by default (see ``_fetch``).

Object-store URLs are limited to the stores in ``OBJECT_STORES``: fsspec also knows protocols that name
any host (``ftp://``, ``sftp://``, ``webhdfs://``...) and chained URLs (``simplecache::file:///etc/...``)
that would step around both the allowed directories and the network guard.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from modules.sdk import ModuleError

LOCAL_SCHEMES = ("", "file")
HTTP_SCHEMES = ("http", "https")
OBJECT_STORES = ("s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def max_bytes() -> int:
    return int(os.environ.get("TESSERA_IMPORT_MAX_MB", "200")) * 1024 * 1024


def partition_bytes() -> int:
    """The partition size of large tables (``TESSERA_DATASET_PARTITION_MB``, as for uploads): a CSV/TSV import
    larger than it is read in pieces of half of it; 0 turns that off."""
    return int(float(os.environ.get("TESSERA_DATASET_PARTITION_MB", "128")) * 1024 * 1024)


def roots() -> list[Path]:
    raw = os.environ.get("TESSERA_IMPORT_ROOTS", "")
    return [Path(p).resolve() for p in raw.split(os.pathsep) if p.strip()]


def is_local(location: str) -> bool:
    return urlparse(location).scheme in LOCAL_SCHEMES or len(urlparse(location).scheme) == 1  # C:\ on Windows


def is_http(location: str) -> bool:
    return urlparse(location).scheme.lower() in HTTP_SCHEMES


def object_store_url(location: str, param: str) -> str:
    """``location`` if it names one of the object stores, else a ModuleError (chained fsspec URLs too)."""
    scheme = urlparse(location).scheme.lower()
    if "::" in location or scheme not in OBJECT_STORES:
        stores = ", ".join(f"{s}://" for s in OBJECT_STORES)
        raise ModuleError(
            f"'{location}' is neither a server path nor an object-store URL ({stores}); "
            "chained fsspec URLs and other protocols are not read",
            param=param,
        )
    return location


def allowed_networks(param: str) -> list[Network]:
    """The networks the operator lets server-side fetches reach although they are not public."""
    raw = os.environ.get("TESSERA_FETCH_ALLOWED_NETWORKS", "")
    networks: list[Network] = []
    for item in re.split(r"[\s,]+", raw.strip()):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ModuleError(
                f"TESSERA_FETCH_ALLOWED_NETWORKS lists '{item}', which is not a network (CIDR such as 10.0.0.0/8); "
                "ask the operator to fix it",
                param=param,
            ) from None
    return networks


def local_path(location: str, param: str) -> Path:
    """``location`` as a path inside one of the allowed roots (symlinks resolved), else a ModuleError."""
    allowed = roots()
    if not allowed:
        raise ModuleError(
            "server-side paths are switched off; the operator lists allowed directories in TESSERA_IMPORT_ROOTS",
            param=param,
        )
    raw = location.removeprefix("file://")
    path = Path(raw).resolve()
    if not any(path == root or root in path.parents for root in allowed):
        listed = ", ".join(str(r) for r in allowed)
        raise ModuleError(f"'{raw}' is outside the allowed directories ({listed})", param=param)
    return path


def connection_url(name: str, param: str = "connection") -> str:
    raw = os.environ.get("TESSERA_DATA_CONNECTIONS", "")
    try:
        connections: dict[str, Any] = json.loads(raw) if raw.strip() else {}
    except json.JSONDecodeError:
        raise ModuleError(
            "TESSERA_DATA_CONNECTIONS is not valid JSON; ask the operator to fix it", param=param
        ) from None
    if not name:
        raise ModuleError("choose a database connection", param=param)
    if name not in connections:
        known = ", ".join(sorted(connections)) or "none are configured"
        raise ModuleError(f"no database connection is named '{name}' (available: {known})", param=param)
    return str(connections[name])


def file_format(location: str, chosen: str, param: str = "file_format") -> str:
    if chosen != "Auto":
        return chosen
    suffix = Path(urlparse(location).path).suffix.lower()
    formats = {".csv": "CSV", ".txt": "CSV", ".tsv": "TSV", ".tab": "TSV", ".parquet": "Parquet", ".pq": "Parquet"}
    if suffix not in formats:
        raise ModuleError(
            f"cannot tell the format of '{location}' from its extension; choose a file format", param=param
        )
    return formats[suffix]
