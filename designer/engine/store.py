"""The content-addressed artifact store: bytes in, sha256 digest out, on a local disk or any fsspec URL.

Content addressing makes writes idempotent (a retried task writes the same file) and lets
readers verify what they read; writes land under a temporary name first so a reader never sees
half a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlparse

_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class ArtifactMissing(KeyError):
    """No artifact with this digest is in the store."""

    def __init__(self, digest: str) -> None:
        super().__init__(digest)
        self.digest = digest

    def __str__(self) -> str:
        return f"artifact {self.digest} is not in the store"


class ArtifactCorrupt(ArtifactMissing):
    """The stored bytes no longer hash to their digest; treat it as missing and recompute."""

    def __str__(self) -> str:
        return f"artifact {self.digest} is corrupt (its bytes do not match its digest)"


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path | str) -> str:
    """The sha256 of a file, read in blocks (a large artifact is never read whole)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def check_digest(digest: str) -> str:
    """``digest`` if it is a lowercase sha256 hex string; refuses anything that could walk paths."""
    if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
        raise ValueError(f"not an artifact digest: {digest!r}")
    return digest


class ArtifactStore(ABC):
    """Shared rules (digest checks, verification); subclasses only move bytes by relative key."""

    def put(self, data: bytes) -> str:
        """Store ``data`` under its digest; a no-op when a file of the right size is already there."""
        digest = digest_of(data)
        key = self._key(digest)
        if not self._exists(key) or self._size(key) != len(data):
            self._write(key, data)
        return digest

    def put_chunks(self, chunks: Iterable[bytes]) -> tuple[str, int]:
        """Store the bytes ``chunks`` yields, in order; their digest and size. This store joins them and
        ``put``s the whole; a local store hashes and writes each piece as it comes (``written.py``)."""
        data = b"".join(chunks)
        return self.put(data), len(data)

    def get(self, digest: str) -> bytes:
        """The bytes, verified. A corrupt artifact is removed so that recomputing it can put it back."""
        key = self._key(check_digest(digest))
        try:
            data = self._read(key)
        except FileNotFoundError:
            raise ArtifactMissing(digest) from None
        if digest_of(data) != digest:
            with contextlib.suppress(FileNotFoundError):
                self._delete(key)
            raise ArtifactCorrupt(digest)
        return data

    def put_file(self, path: Path | str, *, digest: str | None = None) -> str:
        """Store the file at ``path`` (moved or copied in, never read whole into memory); its digest.
        ``digest``: the file's sha256 when the caller hashed the bytes as it wrote them (else it is read here).

        The caller's file may be gone afterwards (a local store moves it when it can)."""
        digest = check_digest(digest) if digest is not None else file_digest(path)
        key = self._key(digest)
        if not self._exists(key) or self._size(key) != os.path.getsize(path):
            self._write_file(key, Path(path))
        return digest

    def open(self, digest: str) -> BinaryIO:
        """A seekable binary file of the artifact, for reading parts of it (row groups of a table).

        Unlike ``get`` it does not verify the digest, which would mean reading every byte."""
        key = self._key(check_digest(digest))
        try:
            return self._open(key)
        except FileNotFoundError:
            raise ArtifactMissing(digest) from None

    def exists(self, digest: str) -> bool:
        return self._exists(self._key(check_digest(digest)))

    def size(self, digest: str) -> int:
        try:
            return self._size(self._key(check_digest(digest)))
        except FileNotFoundError:
            raise ArtifactMissing(digest) from None

    def delete(self, digest: str) -> None:
        """Remove the artifact; deleting one that is not there is not an error."""
        with contextlib.suppress(FileNotFoundError):
            self._delete(self._key(check_digest(digest)))

    @staticmethod
    def _key(digest: str) -> str:
        return f"{digest[:2]}/{digest}"

    @abstractmethod
    def _exists(self, key: str) -> bool: ...

    @abstractmethod
    def _read(self, key: str) -> bytes: ...

    @abstractmethod
    def _write(self, key: str, data: bytes) -> None: ...

    @abstractmethod
    def _size(self, key: str) -> int: ...

    @abstractmethod
    def _delete(self, key: str) -> None: ...

    @abstractmethod
    def _open(self, key: str) -> BinaryIO: ...

    @abstractmethod
    def _write_file(self, key: str, path: Path) -> None: ...


class LocalArtifactStore(ArtifactStore):
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalArtifactStore({str(self.root)!r})"

    def put_chunks(self, chunks: Iterable[bytes]) -> tuple[str, int]:
        """Each piece hashed and written to a temporary file in the store as it comes, then the file renamed
        to its digest (or dropped when that artifact is already there): never the whole in memory twice.

        Only a file that is kept is flushed to disk (``fsync``): one whose artifact is already stored (a node
        computed again with the same result) is dropped unflushed, its pages never written."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        sha = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as f:
                for chunk in chunks:
                    sha.update(chunk)
                    f.write(chunk)
                    size += len(chunk)
                f.flush()
                digest = sha.hexdigest()
                key = self._key(digest)
                keep = not self._exists(key) or self._size(key) != size
                if keep:
                    os.fsync(f.fileno())
            if keep:
                target = self.root / key
                target.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(tmp, 0o644)
                os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return digest, size

    def _exists(self, key: str) -> bool:
        return (self.root / key).is_file()

    def _read(self, key: str) -> bytes:
        return (self.root / key).read_bytes()

    def _write(self, key: str, data: bytes) -> None:
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _size(self, key: str) -> int:
        return (self.root / key).stat().st_size

    def _delete(self, key: str) -> None:
        (self.root / key).unlink()

    def _open(self, key: str) -> BinaryIO:
        return open(self.root / key, "rb")  # noqa: SIM115 - the caller closes it

    def _write_file(self, key: str, path: Path) -> None:
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        os.close(fd)
        try:
            try:
                os.replace(path, tmp)  # same file system: a rename, no copy
            except OSError:
                shutil.copyfile(path, tmp)
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class FsspecArtifactStore(ArtifactStore):
    """Any fsspec URL (``s3://bucket/prefix``, ``gs://…``, ``memory://…``); options go to the filesystem."""

    def __init__(self, url: str, **storage_options: Any) -> None:
        import fsspec

        self.url = url
        self.fs, root = fsspec.core.url_to_fs(url, **storage_options)
        self.root = root.rstrip("/")

    def __repr__(self) -> str:
        return f"FsspecArtifactStore({self.url!r})"

    def _path(self, key: str) -> str:
        return f"{self.root}/{key}"

    def _exists(self, key: str) -> bool:
        return bool(self.fs.isfile(self._path(key)))

    def _read(self, key: str) -> bytes:
        data: bytes = self.fs.cat_file(self._path(key))
        return data

    def _write(self, key: str, data: bytes) -> None:
        target = self._path(key)
        folder = target.rsplit("/", 1)[0]
        self.fs.makedirs(folder, exist_ok=True)
        tmp = f"{folder}/.tmp-{uuid.uuid4().hex}"
        self.fs.pipe_file(tmp, data)
        try:
            self.fs.mv(tmp, target)
        except BaseException:
            self.fs.rm_file(tmp)
            raise

    def _size(self, key: str) -> int:
        return int(self.fs.size(self._path(key)))

    def _delete(self, key: str) -> None:
        self.fs.rm_file(self._path(key))

    def _open(self, key: str) -> BinaryIO:
        if not self._exists(key):
            raise FileNotFoundError(key)
        handle: BinaryIO = self.fs.open(self._path(key), "rb")
        return handle

    def _write_file(self, key: str, path: Path) -> None:
        target = self._path(key)
        folder = target.rsplit("/", 1)[0]
        self.fs.makedirs(folder, exist_ok=True)
        tmp = f"{folder}/.tmp-{uuid.uuid4().hex}"
        self.fs.put_file(str(path), tmp)
        try:
            self.fs.mv(tmp, target)
        except BaseException:
            self.fs.rm_file(tmp)
            raise


def store_from_url(url: str) -> ArtifactStore:
    """A plain path or ``file://`` URL gives a local store; any other URL goes through fsspec."""
    if "://" not in url:
        return LocalArtifactStore(Path(url))
    parsed = urlparse(url)
    if parsed.scheme == "file":
        host = "" if parsed.netloc in ("", "localhost") else parsed.netloc  # file://var/x means var/x
        return LocalArtifactStore(Path(unquote(host + parsed.path)))
    return FsspecArtifactStore(url)
