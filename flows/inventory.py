"""Find the supported files under a folder and decide which need reading, from their stat and content hash."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass, field
from pathlib import Path

from rolesignal.extractors.errors import ExtractionError, cannot_read
from rolesignal.extractors.read import RECOGNISED_SUFFIXES
from rolesignal.warehouse.types import FileState, SeenFile


@dataclass(frozen=True, slots=True)
class FoundFile:
    """A supported file on disk, with its stat (not yet hashed)."""

    path: str
    size: int
    mtime_ns: int


def discover(root: Path) -> Iterator[FoundFile]:
    """Supported files under root, recursively; hidden files, office lock files and links leaving root are skipped."""
    root = root.resolve()
    seen_dirs: set[tuple[int, int]] = set()
    seen_files: set[str] = set()
    # Folders are walked by their resolved path, so a file reached without a link is already resolved: realpath,
    # a syscall per path component, is needed only for links (it was a tenth of a no-change rescan).
    stack = [str(root)]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            if name.startswith((".", "~$")):
                continue
            path = entry.path
            # Any one entry may vanish, loop or refuse us while we look (links under /proc do): it is skipped, and
            # the walk goes on.
            try:
                if entry.is_symlink():
                    target = Path(path).resolve()
                    # Links are followed only while they stay inside the scanned folder.
                    if not target.is_relative_to(root) or not target.exists():
                        continue
                    path = str(target)
                info = os.stat(path)
            except (OSError, RuntimeError):  # RuntimeError: a link loop, before Python 3.13
                continue
            if stat.S_ISDIR(info.st_mode):
                key = (info.st_dev, info.st_ino)
                if key not in seen_dirs:  # link loops visit a folder once
                    seen_dirs.add(key)
                    stack.append(path)
            elif stat.S_ISREG(info.st_mode) and os.path.splitext(path)[1].lower() in RECOGNISED_SUFFIXES:
                if path not in seen_files:  # a link inside the folder is the file it points to
                    seen_files.add(path)
                    yield FoundFile(path, info.st_size, info.st_mtime_ns)


def hash_file(path: str) -> str:
    """sha256 of the file's bytes, streamed."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


@dataclass
class ScanPlan:
    """What a scan must do with each file it found."""

    new: list[SeenFile] = field(default_factory=list)  # content never analysed: read it
    changed: list[SeenFile] = field(default_factory=list)  # known path, new content: read it
    linked: list[SeenFile] = field(default_factory=list)  # new or changed path whose content is already stored
    unchanged: list[SeenFile] = field(default_factory=list)  # same path, same content
    # Same path and content, but the stored document came from a reader of another version: read it again (one path
    # per content; the content's other unchanged paths share the new reading).
    reread: list[SeenFile] = field(default_factory=list)
    restat: list[SeenFile] = field(default_factory=list)  # the unchanged files whose stat changed (touched)
    removed: list[str] = field(default_factory=list)  # known paths no longer found
    hash_errors: list[tuple[FoundFile, ExtractionError]] = field(default_factory=list)
    known_paths: frozenset[str] = frozenset()  # paths the warehouse knew before this scan

    @property
    def to_read(self) -> list[SeenFile]:
        return self.new + self.changed + self.reread

    def counts(self) -> dict[str, int]:
        return {
            "files_seen": len(self.new)
            + len(self.changed)
            + len(self.linked)
            + len(self.unchanged)
            + len(self.reread)
            + len(self.hash_errors),
            "new": len(self.new) + sum(1 for f in self.linked if f.path not in self.known_paths),
            "changed": len(self.changed) + sum(1 for f in self.linked if f.path in self.known_paths),
            "unchanged": len(self.unchanged) + len(self.reread),
            "removed": len(self.removed),
        }


def plan_scan(
    found: list[FoundFile],
    known: Mapping[str, FileState],
    stored_contents: set[str],
    retry_failed: bool = False,
    outdated: Set[str] = frozenset(),
) -> ScanPlan:
    """Compare what is on disk with what the warehouse knows; hash only files whose stat changed.

    `outdated`: stored contents that a reader of another version read; their files are read again.
    """
    plan = ScanPlan(known_paths=frozenset(p for p, s in known.items() if s.status != "removed"))
    queued: set[str] = set()
    stored_contents = stored_contents - outdated if outdated else stored_contents

    def unchanged(seen: SeenFile, state: FileState) -> list[SeenFile]:
        if state.status == "ok" and seen.content_hash in outdated and seen.content_hash not in queued:
            queued.add(seen.content_hash)
            return plan.reread
        return plan.unchanged

    for file in found:
        state = known.get(file.path)
        if state is not None and state.status != "removed" and state.content_hash:
            same_stat = state.size == file.size and state.mtime_ns == file.mtime_ns
            if same_stat and (state.status == "ok" or not retry_failed):
                seen = SeenFile(file.path, file.size, file.mtime_ns, state.content_hash)
                unchanged(seen, state).append(seen)
                continue
        try:
            digest = hash_file(file.path)
        except OSError as exc:
            plan.hash_errors.append((file, cannot_read(exc)))
            continue
        seen = SeenFile(file.path, file.size, file.mtime_ns, digest)
        is_known = state is not None and state.status != "removed"
        if is_known and state.content_hash == digest and (state.status == "ok" or not retry_failed):
            where = unchanged(seen, state)  # touched but not modified
            where.append(seen)
            if where is plan.unchanged:
                plan.restat.append(seen)  # a file read again gets its new stat written with its results
        elif digest in stored_contents or digest in queued:
            plan.linked.append(seen)  # moved, renamed or duplicated content: no need to read it again
        else:
            queued.add(digest)
            (plan.changed if is_known else plan.new).append(seen)
    found_paths = {f.path for f in found}
    plan.removed = sorted(p for p, s in known.items() if s.status != "removed" and p not in found_paths)
    return plan


def may_need_reading(found: list[FoundFile], known: Mapping[str, FileState], retry_failed: bool = False) -> bool:
    """Whether plan_scan could put any file to read: a path it does not know, or one whose stat changed.

    A cheap hint (no hashing) for starting the reading processes before the plan exists; the plan decides.
    """
    for file in found:
        state = known.get(file.path)
        if state is None or state.status == "removed" or not state.content_hash:
            return True
        if (state.size, state.mtime_ns) != (file.size, file.mtime_ns) or (retry_failed and state.status != "ok"):
            return True
    return False
