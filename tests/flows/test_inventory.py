"""Discovery skips what it must, and the plan hashes only changed files and reads only new content."""

from __future__ import annotations

import os
from pathlib import Path

from rolesignal.flows.inventory import FoundFile, discover, hash_file, may_need_reading, plan_scan
from rolesignal.warehouse.types import FileState


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def names(root: Path) -> list[str]:
    return sorted(Path(f.path).relative_to(root.resolve()).as_posix() for f in discover(root))


def test_supported_files_recursively(tmp_path: Path) -> None:
    for name in ["a.txt", "b.md", "sub/c.pdf", "sub/d.docx", "e.doc", "f.png", "g.html"]:
        write(tmp_path / name, "x")
    assert names(tmp_path) == ["a.txt", "b.md", "e.doc", "sub/c.pdf", "sub/d.docx"]


def test_hidden_and_lock_files_ignored(tmp_path: Path) -> None:
    write(tmp_path / ".hidden.txt", "x")
    write(tmp_path / "~$draft.docx", "x")
    write(tmp_path / ".git/notes.txt", "x")
    write(tmp_path / "ok.txt", "x")
    assert names(tmp_path) == ["ok.txt"]


def test_links_outside_root_not_followed(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside/secret.txt", "x")
    root = tmp_path / "root"
    write(root / "in.txt", "x")
    os.symlink(outside, root / "link.txt")
    os.symlink(outside.parent, root / "linkdir")
    os.symlink(root / "in.txt", root / "inner-link.txt")
    assert names(root) == ["in.txt"]  # the inside link is the same file


def test_link_loop_does_not_hang(tmp_path: Path) -> None:
    write(tmp_path / "a/file.txt", "x")
    os.symlink(tmp_path / "a", tmp_path / "a/loop")
    assert names(tmp_path) == ["a/file.txt"]


def test_self_and_mutual_link_loops_special_files_and_dangling_links_are_skipped(tmp_path: Path) -> None:
    write(tmp_path / "ok.txt", "x")
    os.symlink(tmp_path / "self.txt", tmp_path / "self.txt")  # a link to itself: resolving it loops
    os.symlink(tmp_path / "b.txt", tmp_path / "a.txt")
    os.symlink(tmp_path / "a.txt", tmp_path / "b.txt")  # two links pointing at each other
    os.symlink(tmp_path / "gone.txt", tmp_path / "dangling.txt")
    os.mkfifo(tmp_path / "pipe.txt")  # reading a named pipe would wait forever
    assert names(tmp_path) == ["ok.txt"]


def found(path: Path) -> FoundFile:
    info = path.stat()
    return FoundFile(str(path.resolve()), info.st_size, info.st_mtime_ns)


def state(path: Path, status: str = "ok", digest: str | None = None) -> FileState:
    info = path.stat()
    return FileState(str(path.resolve()), info.st_size, info.st_mtime_ns, digest or hash_file(str(path)), status)


def test_plan_new_unchanged_changed_removed(tmp_path: Path) -> None:
    new = write(tmp_path / "new.txt", "new")
    same = write(tmp_path / "same.txt", "same")
    edited = write(tmp_path / "edited.txt", "v1")
    known = {str(p.resolve()): state(p) for p in (same, edited)}
    known["/gone.txt"] = FileState("/gone.txt", 1, 1, "abc", "ok")
    edited.write_text("version 2")
    plan = plan_scan([found(p) for p in (new, same, edited)], known, stored_contents=set())
    assert [Path(f.path).name for f in plan.new] == ["new.txt"]
    assert [Path(f.path).name for f in plan.changed] == ["edited.txt"]
    assert [Path(f.path).name for f in plan.unchanged] == ["same.txt"]
    assert plan.removed == ["/gone.txt"]
    assert plan.counts() == {"files_seen": 3, "new": 1, "changed": 1, "unchanged": 1, "removed": 1}


def test_moved_file_is_linked_not_read(tmp_path: Path) -> None:
    moved = write(tmp_path / "moved.txt", "content")
    plan = plan_scan([found(moved)], {}, stored_contents={hash_file(str(moved))})
    assert (plan.to_read, [f.path for f in plan.linked]) == ([], [str(moved.resolve())])


def test_duplicate_content_read_once(tmp_path: Path) -> None:
    a, b = write(tmp_path / "a.txt", "same"), write(tmp_path / "b.txt", "same")
    plan = plan_scan([found(a), found(b)], {}, stored_contents=set())
    assert ([Path(f.path).name for f in plan.new], [Path(f.path).name for f in plan.linked]) == (["a.txt"], ["b.txt"])


def test_unchanged_stat_is_not_hashed(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "x")
    known = {str(path.resolve()): state(path, digest="not-the-real-hash")}
    plan = plan_scan([found(path)], known, stored_contents=set())
    assert [f.content_hash for f in plan.unchanged] == ["not-the-real-hash"]


def test_touched_file_is_unchanged_with_its_new_stat(tmp_path: Path) -> None:
    same, touched = write(tmp_path / "same.txt", "same"), write(tmp_path / "touched.txt", "touched")
    known = {str(p.resolve()): state(p) for p in (same, touched)}
    os.utime(touched, ns=(1_000_000_000, 1_000_000_000))
    plan = plan_scan([found(same), found(touched)], known, stored_contents=set())
    assert [Path(f.path).name for f in plan.unchanged] == ["same.txt", "touched.txt"]
    assert [(Path(f.path).name, f.mtime_ns) for f in plan.restat] == [("touched.txt", 1_000_000_000)]


def test_failed_file_retried_only_when_asked(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.pdf", "not a pdf")
    known = {str(path.resolve()): state(path, status="failed")}
    assert len(plan_scan([found(path)], known, set()).unchanged) == 1
    assert len(plan_scan([found(path)], known, set(), retry_failed=True).changed) == 1


def test_may_need_reading_is_a_stat_only_hint() -> None:
    known = {
        "/r/a.txt": FileState("/r/a.txt", 10, 100, "h1", "ok"),
        "/r/b.txt": FileState("/r/b.txt", 20, 200, "h2", "failed"),
    }
    same = [FoundFile("/r/a.txt", 10, 100), FoundFile("/r/b.txt", 20, 200)]
    assert not may_need_reading(same, known)
    assert may_need_reading(same, known, retry_failed=True)  # a failed file is read again on request
    assert may_need_reading([FoundFile("/r/a.txt", 10, 101)], known)  # touched
    assert may_need_reading([FoundFile("/r/c.txt", 1, 1)], known)  # new
    assert not may_need_reading([], known)  # only removals: nothing to read


def test_discover_finds_every_suffix_the_readers_recognise(tmp_path: Path) -> None:
    """The scan's list is the extractors' own: files they read, and legacy files whose failure says what to do."""
    from rolesignal.extractors.read import LEGACY_FORMATS, RECOGNISED_SUFFIXES, SUPPORTED_SUFFIXES

    assert set(RECOGNISED_SUFFIXES) == set(SUPPORTED_SUFFIXES) | set(LEGACY_FORMATS)
    for suffix in RECOGNISED_SUFFIXES:
        (tmp_path / f"file{suffix.upper()}").write_text("x")
    assert len(names(tmp_path)) == len(RECOGNISED_SUFFIXES)


def test_a_file_gone_before_hashing_is_a_hash_error_in_the_readers_words(tmp_path: Path) -> None:
    gone = FoundFile(str(tmp_path / "gone.txt"), 10, 1)
    plan = plan_scan([gone], {}, set())
    [(file, error)] = plan.hash_errors
    assert (file, error.error_type) == (gone, "unreadable")
    assert error.message == "cannot read the file (No such file or directory): check the path and permissions"


def test_files_of_contents_an_older_reader_read_are_read_again_once_each(tmp_path: Path) -> None:
    a, copy, touched = (write(tmp_path / n, "old") for n in ("a.txt", "copy.txt", "touched.txt"))
    failed, fresh = write(tmp_path / "failed.pdf", "bad"), write(tmp_path / "fresh.txt", "new reading")
    known = {str(p.resolve()): state(p) for p in (a, copy, fresh)}
    known[str(failed.resolve())] = state(failed, status="failed")
    known[str(touched.resolve())] = state(touched)
    os.utime(touched, ns=(1_000_000_000, 1_000_000_000))
    moved = write(tmp_path / "moved.txt", "moved")  # a new path of a stored content an older reader read
    old = {hash_file(str(p)) for p in (a, failed, moved)}
    files = [found(p) for p in (a, copy, touched, failed, fresh, moved)]
    stored = old | {hash_file(str(fresh))}
    plan = plan_scan(files, known, stored, outdated=old)
    assert [Path(f.path).name for f in plan.reread] == ["a.txt"]  # copy and touched share its content: read once
    assert [Path(f.path).name for f in plan.unchanged] == ["copy.txt", "touched.txt", "failed.pdf", "fresh.txt"]
    assert [Path(f.path).name for f in plan.restat] == ["touched.txt"]
    assert [Path(f.path).name for f in plan.new] == ["moved.txt"]  # read, not linked to the old reading
    assert [Path(f.path).name for f in plan.to_read] == ["moved.txt", "a.txt"]
    assert plan.counts() == {"files_seen": 6, "new": 1, "changed": 0, "unchanged": 5, "removed": 0}
