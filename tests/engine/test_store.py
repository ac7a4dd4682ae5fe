"""The artifact store, on a local directory and on fsspec's memory filesystem."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import fsspec
import pytest

from designer.engine.store import (
    ArtifactCorrupt,
    ArtifactMissing,
    ArtifactStore,
    FsspecArtifactStore,
    LocalArtifactStore,
    store_from_url,
)

DATA = b"hello, artifacts"
DIGEST = hashlib.sha256(DATA).hexdigest()


@pytest.fixture(params=["local", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ArtifactStore]:
    if request.param == "local":
        yield LocalArtifactStore(tmp_path / "artifacts")
        return
    url = f"memory://tessera-tests/{uuid.uuid4().hex}"
    yield FsspecArtifactStore(url)
    forget(url.removeprefix("memory://"))


def forget(root: str) -> None:
    """Remove a test's folder from the process-wide memory filesystem."""
    fs = fsspec.filesystem("memory")
    if fs.exists(f"/{root}"):
        fs.rm(f"/{root}", recursive=True)


def test_put_returns_the_sha256_and_get_returns_the_bytes(store: ArtifactStore) -> None:
    # when bytes are put
    digest = store.put(DATA)

    # then they come back under their sha256
    assert digest == DIGEST
    assert store.get(digest) == DATA
    assert store.exists(digest) is True
    assert store.size(digest) == len(DATA)


def test_put_is_idempotent(store: ArtifactStore) -> None:
    # when the same bytes are put twice
    first = store.put(DATA)
    second = store.put(DATA)

    # then one artifact exists under one digest
    assert first == second == DIGEST
    assert store.get(DIGEST) == DATA


def test_empty_artifacts_are_fine(store: ArtifactStore) -> None:
    # when an empty artifact is put, then it reads back empty
    digest = store.put(b"")
    assert store.get(digest) == b""
    assert store.size(digest) == 0


def test_missing_artifacts_raise_artifact_missing(store: ArtifactStore) -> None:
    # given a digest never stored
    digest = "0" * 64

    # then reading, sizing and checking say so, and deleting it is harmless
    with pytest.raises(ArtifactMissing) as info:
        store.get(digest)
    assert info.value.digest == digest
    assert isinstance(info.value, KeyError)
    with pytest.raises(ArtifactMissing):
        store.size(digest)
    assert store.exists(digest) is False
    store.delete(digest)


def test_delete_removes_the_artifact(store: ArtifactStore) -> None:
    # given a stored artifact
    digest = store.put(DATA)

    # when it is deleted
    store.delete(digest)

    # then it is gone
    assert store.exists(digest) is False
    with pytest.raises(ArtifactMissing):
        store.get(digest)


@pytest.mark.parametrize(
    "bad",
    ["../../etc/passwd", "A" * 64, "0" * 63, "0" * 65, "", "/" + "0" * 63, "0" * 62 + "/x", f"{DIGEST}\n"],
)
def test_bad_digests_are_refused(store: ArtifactStore, bad: str) -> None:
    # when any operation is given something that is not a digest, then it is refused before touching storage
    for operation in (store.get, store.exists, store.size, store.delete):
        with pytest.raises(ValueError, match="not an artifact digest"):
            operation(bad)


def test_local_layout_shards_by_the_first_two_characters(tmp_path: Path) -> None:
    # given a local store
    store = LocalArtifactStore(tmp_path)

    # when an artifact is put
    digest = store.put(DATA)

    # then it lies at <root>/ab/<digest> and nothing else is left behind
    assert (tmp_path / digest[:2] / digest).read_bytes() == DATA
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted([digest[:2], digest])


def test_memory_layout_shards_by_the_first_two_characters() -> None:
    # given a store on the memory filesystem
    root = f"tessera-tests/{uuid.uuid4().hex}"
    store = FsspecArtifactStore(f"memory://{root}")

    # when an artifact is put
    digest = store.put(DATA)

    # then it lies at <root>/ab/<digest> with no temporary file left behind
    fs = fsspec.filesystem("memory")
    assert fs.cat_file(f"/{root}/{digest[:2]}/{digest}") == DATA
    assert fs.find(f"/{root}") == [f"/{root}/{digest[:2]}/{digest}"]
    forget(root)


def test_local_put_is_atomic_a_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a disk that fails while the temporary file is being renamed into place
    store = LocalArtifactStore(tmp_path)

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)

    # when an artifact is put
    with pytest.raises(OSError, match="disk full"):
        store.put(DATA)

    # then no file, partial or temporary, is visible
    monkeypatch.undo()
    assert store.exists(DIGEST) is False
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_local_put_writes_through_a_temporary_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a spy on the rename that publishes the file
    store = LocalArtifactStore(tmp_path)
    renames: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src: str, dst: str) -> None:
        renames.append((Path(src).name, str(dst)))
        assert not Path(dst).exists()  # readers cannot see the final name before the bytes are complete
        assert Path(src).read_bytes() == DATA
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)

    # when an artifact is put
    store.put(DATA)

    # then it was written under a temporary name and renamed once
    assert len(renames) == 1
    assert renames[0][0].startswith(".tmp-")
    assert renames[0][1] == str(tmp_path / DIGEST[:2] / DIGEST)


def test_corruption_is_detected_on_get(tmp_path: Path) -> None:
    # given a stored artifact whose bytes were changed on disk
    store = LocalArtifactStore(tmp_path)
    digest = store.put(DATA)
    (tmp_path / digest[:2] / digest).write_bytes(b"tampered")

    # when it is read
    with pytest.raises(ArtifactCorrupt) as info:
        store.get(digest)

    # then the corruption is reported as a kind of missing artifact, and the bad file is gone
    assert isinstance(info.value, ArtifactMissing)
    assert str(info.value) == f"artifact {digest} is corrupt (its bytes do not match its digest)"
    assert store.exists(digest) is False


def test_putting_again_repairs_a_corrupt_artifact(store: ArtifactStore) -> None:
    # given an artifact truncated in place (a crash before the data reached the disk)
    digest = store.put(DATA)
    if isinstance(store, LocalArtifactStore):
        (store.root / digest[:2] / digest).write_bytes(DATA[:3])
    else:
        assert isinstance(store, FsspecArtifactStore)
        store.fs.pipe_file(f"{store.root}/{digest[:2]}/{digest}", DATA[:3])

    # when the same bytes are put again (the node re-ran)
    store.put(DATA)

    # then the artifact reads back whole
    assert store.get(digest) == DATA


def test_corruption_is_detected_on_fsspec_stores() -> None:
    # given a memory store with a tampered artifact
    root = f"tessera-tests/{uuid.uuid4().hex}"
    store = FsspecArtifactStore(f"memory://{root}")
    digest = store.put(DATA)
    fsspec.filesystem("memory").pipe_file(f"/{root}/{digest[:2]}/{digest}", b"x")

    # when it is read, then it is refused
    with pytest.raises(ArtifactCorrupt):
        store.get(digest)
    forget(root)


def test_store_from_url_picks_the_backend(tmp_path: Path) -> None:
    # when stores are made from a path, a file URL and a memory URL
    plain = store_from_url(str(tmp_path / "a"))
    file_url = store_from_url(f"file://{tmp_path}/b")
    memory = store_from_url("memory://tessera-tests/from-url")

    # then each gets the right backend and root
    assert isinstance(plain, LocalArtifactStore)
    assert plain.root == tmp_path / "a"
    assert isinstance(file_url, LocalArtifactStore)
    assert file_url.root == tmp_path / "b"
    assert isinstance(memory, FsspecArtifactStore)
    assert memory.put(DATA) == DIGEST
    forget("tessera-tests/from-url")


def test_two_stores_on_one_root_share_artifacts(tmp_path: Path) -> None:
    # given a writer and a reader on the same directory (a worker and the web process)
    writer = LocalArtifactStore(tmp_path)
    reader = store_from_url(str(tmp_path))

    # when the writer puts, then the reader sees it
    assert reader.get(writer.put(DATA)) == DATA


def test_put_chunks_stores_the_joined_bytes_under_their_digest(store: ArtifactStore) -> None:
    # when bytes arrive in pieces, one of them empty
    digest, size = store.put_chunks(iter([b"hello, ", b"", b"artifacts"]))

    # then they are stored as if put whole
    assert (digest, size) == (DIGEST, len(DATA))
    assert store.get(digest) == DATA
    assert store.put_chunks(iter([DATA])) == (DIGEST, len(DATA))  # again: the same artifact


def test_local_put_chunks_keeps_an_existing_artifact_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    # given the artifact already stored
    store = LocalArtifactStore(tmp_path)
    store.put(DATA)
    before = (tmp_path / DIGEST[:2] / DIGEST).stat().st_mtime_ns

    # when the same bytes arrive in pieces
    store.put_chunks(iter([DATA[:3], DATA[3:]]))

    # then the stored file is the one that was there, and only it is in the store
    assert (tmp_path / DIGEST[:2] / DIGEST).stat().st_mtime_ns == before
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()] == [
        f"{DIGEST[:2]}/{DIGEST}"
    ]


def test_local_put_chunks_flushes_to_disk_only_the_file_it_keeps(tmp_path: Path, monkeypatch) -> None:
    import os

    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    store = LocalArtifactStore(tmp_path)

    # a new artifact is flushed before it is named
    assert store.put_chunks(iter([DATA[:3], DATA[3:]])) == (DIGEST, len(DATA))
    assert len(synced) == 1

    # the same bytes again (a node computed again with the same result): dropped, not flushed
    assert store.put_chunks(iter([DATA])) == (DIGEST, len(DATA))
    assert len(synced) == 1
    assert store.get(DIGEST) == DATA


def test_local_put_chunks_stores_nothing_when_the_pieces_stop_with_an_error(tmp_path: Path) -> None:
    # given pieces whose source fails halfway
    store = LocalArtifactStore(tmp_path)

    def pieces() -> Iterator[bytes]:
        yield DATA[:5]
        raise RuntimeError("the writer broke")

    # when they are put
    with pytest.raises(RuntimeError, match="the writer broke"):
        store.put_chunks(pieces())

    # then nothing, partial or temporary, is left
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
