"""grimoire.archives: extraction goes to the cache, stays inside, survives races.

The archives are small ones made here, in a registry of their own.
"""

import hashlib
import io
import os
import subprocess
import sys
import tarfile
import textwrap
import time
import zipfile

import pytest

from grimoire import archives, datasets


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GRIMOIRE_DATA", str(tmp_path / "mirror"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("GRIMOIRE_CACHE", str(tmp_path / "cache"))
    (tmp_path / "mirror").mkdir()
    return tmp_path / "cache"


def register(monkeypatch, archive):
    file = datasets.DataFile(
        archive.name, hashlib.sha256(archive.read_bytes()).hexdigest()
    )
    name = archive.name.split(".")[0]
    dataset = datasets.Dataset(name, name.title(), "", (file,), "CC0", "none")
    monkeypatch.setitem(datasets.DATASETS, name, dataset)
    return name


def make_tar(path, members):
    """Write a .tar.gz of ``{name: bytes or None (a folder) or TarInfo}``."""
    with tarfile.open(path, "w:gz") as bundle:
        for name, payload in members.items():
            if isinstance(payload, tarfile.TarInfo):
                bundle.addfile(payload)
                continue
            info = tarfile.TarInfo(name)
            if payload is None:
                info.type = tarfile.DIRTYPE
                bundle.addfile(info)
            else:
                info.size, info.mode = len(payload), 0o4755  # setuid: dropped
                bundle.addfile(info, io.BytesIO(payload))
    return path


def test_zip_goes_to_cache_not_beside_the_source(cache, monkeypatch):
    archive = cache.parent / "mirror" / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("inner/hello.txt", "hello")
    name = register(monkeypatch, archive)
    folder = archives.extract(name)
    assert (folder / "inner/hello.txt").read_text() == "hello"
    assert folder.parent == cache and (folder / ".complete").is_file()
    assert [p.name for p in archive.parent.iterdir()] == ["bundle.zip"]
    assert archives.extract(name) == folder  # second call reuses the extraction


def test_tar_extracts_files_and_folders_with_safe_modes(cache, monkeypatch):
    archive = make_tar(
        cache.parent / "mirror" / "reviews.tar.gz",
        {"top": None, "top/a.txt": b"one", "top/sub/b.txt": b"two"},
    )
    folder = archives.extract(register(monkeypatch, archive))
    assert (folder / "top/sub/b.txt").read_bytes() == b"two"
    assert (folder / "top/a.txt").stat().st_mode & 0o7777 == 0o644
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    "member", ["../outside.txt", "/tmp/absolute.txt", "top/../../outside.txt"]
)
def test_names_that_escape_are_refused(cache, monkeypatch, member):
    archive = make_tar(
        cache.parent / "mirror" / "evil.tar.gz", {"ok.txt": b"ok", member: b"evil"}
    )
    with pytest.raises(archives.UnsafeArchiveError, match="leads outside"):
        archives.extract(register(monkeypatch, archive))
    assert not list(cache.parent.rglob("outside.txt"))
    assert not list(cache.glob("evil-*"))
    assert not [p for p in cache.iterdir() if p.name.startswith(".evil")]


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE])
def test_links_are_refused(cache, monkeypatch, kind):
    link = tarfile.TarInfo("top/link")
    link.type, link.linkname = kind, "/etc/passwd"
    archive = make_tar(cache.parent / "mirror" / "links.tar.gz", {"top/link": link})
    with pytest.raises(archives.UnsafeArchiveError, match="not links, devices"):
        archives.extract(register(monkeypatch, archive))


def test_an_incomplete_folder_is_replaced(cache, monkeypatch):
    archive = make_tar(cache.parent / "mirror" / "redo.tar.gz", {"a.txt": b"new"})
    name = register(monkeypatch, archive)
    stale = cache / f"{name}-{datasets.DATASETS[name].files[0].sha256[:12]}"
    (stale / "junk").mkdir(parents=True)  # left by a crash, no .complete marker
    folder = archives.extract(name)
    assert folder == stale and (folder / "a.txt").read_bytes() == b"new"
    assert not (folder / "junk").exists()


def test_a_complete_folder_is_adopted_and_ones_own_discarded(tmp_path):
    target, partial = tmp_path / "target", tmp_path / "partial"
    for folder, text in ((target, "first"), (partial, "second")):
        folder.mkdir()
        (folder / ".complete").touch()
        (folder / "a.txt").write_text(text)
    archives._adopt(partial, target)
    assert (target / "a.txt").read_text() == "first"


def test_two_processes_extracting_at_once(cache, monkeypatch):
    """Both get the same complete folder; nothing is lost or left behind."""
    members = {f"top/{i:04d}.txt": f"review {i}".encode() for i in range(3000)}
    archive = make_tar(cache.parent / "mirror" / "race.tar.gz", members)
    name = register(monkeypatch, archive)
    sha = datasets.DATASETS[name].files[0].sha256
    go = cache.parent / "go"
    sync = cache.parent / "sync"
    sync.mkdir()
    # Each worker extracts, then waits until the other has extracted too
    # before renaming into place, so that the two always collide.
    script = textwrap.dedent(
        f"""
        import os, time
        from grimoire import archives, datasets
        file = datasets.DataFile({archive.name!r}, {sha!r})
        datasets.DATASETS[{name!r}] = datasets.Dataset(
            {name!r}, "Race", "", (file,), "CC0", "none")
        real_adopt = archives._adopt
        def adopt(partial, target):
            open(os.path.join({str(sync)!r}, str(os.getpid())), "w").close()
            while len(os.listdir({str(sync)!r})) < 2:
                time.sleep(0.01)
            real_adopt(partial, target)
            print("adopted" if partial.exists() else "renamed")
        archives._adopt = adopt
        while not os.path.exists({str(go)!r}):
            time.sleep(0.01)
        folder = archives.extract({name!r})
        print(folder, len(os.listdir(folder / "top")))
        """
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(1.0)  # both are waiting at the start line
    go.touch()
    results = [worker.communicate(timeout=300) for worker in workers]
    for worker, (_, err) in zip(workers, results):
        assert worker.returncode == 0, err
    outcomes = sorted(out.split()[0] for out, _ in results)
    assert outcomes == ["adopted", "renamed"]
    folders = {out.splitlines()[1] for out, _ in results}
    assert folders == {f"{cache / (name + '-' + sha[:12])} 3000"}
    assert sorted(p.name for p in cache.iterdir()) == [f"{name}-{sha[:12]}"]


def test_extract_checks_its_argument():
    with pytest.raises(ValueError, match=r"one .zip or .tar.gz archive"):
        archives.extract("fashion_mnist")
    with pytest.raises(TypeError, match=r"Expected `name` to be a str"):
        archives.extract(None)


def test_requires_python_allows_only_pythons_with_tar_filters():
    """tarfile's ``filter=`` came in 3.11.4 (3.10.12): no earlier Python installs."""
    import tomllib
    from pathlib import Path

    from packaging.specifiers import SpecifierSet

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    with open(pyproject, "rb") as stream:
        allowed = SpecifierSet(tomllib.load(stream)["project"]["requires-python"])
    assert not allowed.contains("3.11.3") and not allowed.contains("3.10.12")
    assert allowed.contains("3.11.4") and allowed.contains("3.12.0")
    assert allowed.contains(".".join(map(str, sys.version_info[:3])))
    assert hasattr(tarfile, "data_filter")


@pytest.mark.parametrize(
    "args, message",
    [
        (("folder/file",), r"Expected `member` to be a TarInfo. Received: member="),
        (
            (tarfile.TarInfo("a"), 3),
            r"Expected `path` to be a str, a path or None. Received: path=3",
        ),
    ],
)
def test_safe_member_checks_its_arguments(args, message):
    with pytest.raises(TypeError, match=message):
        archives.safe_member(*args)
