"""Scan progress for whoever watches: the CLI installs a listener (a bar on a terminal, log lines elsewhere)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

Listener = Callable[[int, int], None]
_listeners: list[Listener] = []


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Tell `listener` of the progress while the block runs."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def report(done: int, total: int) -> None:
    """Tell every listener how many of the files to read are done."""
    for listener in _listeners:
        listener(done, total)


class ProgressDisplay:
    """A rich progress bar (files done / total, rate) on a terminal, plain lines at most every few seconds elsewhere."""

    def __init__(self, stream: TextIO | None = None, every: float = 5.0) -> None:
        self.stream = stream or sys.stderr
        self.every = every
        self.started = time.monotonic()
        # None, not 0.0: time.monotonic() counts from boot, so on a machine up for less than `every` seconds a
        # start at 0.0 would hold back the first line.
        self.last_line: float | None = None
        self.bar = None
        self.task = None
        self._listening = listening(self)

    def __enter__(self) -> ProgressDisplay:
        if self.stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(
                TextColumn("reading files"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                transient=True,
            )
            self.bar.start()
        self._listening.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._listening.__exit__(None, None, None)
        if self.bar is not None:
            self.bar.stop()

    def rate(self, done: int) -> str:
        elapsed = time.monotonic() - self.started
        return f"{done / elapsed:.1f} files/s" if elapsed > 0 and done else ""

    def __call__(self, done: int, total: int) -> None:
        if done == 0:
            self.started = time.monotonic()  # Prefect's and the workers' start-up is not reading time
        if self.bar is not None:
            if self.task is None:
                self.task = self.bar.add_task("scan", total=total, rate="")
            self.bar.update(self.task, completed=done, total=total, rate=self.rate(done))
            return
        now = time.monotonic()
        due = self.last_line is None or now - self.last_line >= self.every
        if done and (done == total or due):
            self.last_line = now
            print(f"read {done}/{total} files ({self.rate(done)})", file=self.stream, flush=True)
