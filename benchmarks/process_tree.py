"""Peak memory and CPU seconds of a process and everything it starts, sampled from outside with psutil."""

from __future__ import annotations

import threading
import time
from typing import Any

# Reading a process's PSS makes the kernel walk its page tables: ~16 ms of CPU per scan process here. Sampled every
# 50 ms over three processes that took most of a core from the scan being measured, on a 2-core machine; PSS is
# sampled every 0.5 s (memory moves with batches of seconds), RSS and CPU times (cheap) every 50 ms.
SAMPLE_EVERY = 0.05
PSS_EVERY = 0.5


def tree_sample(process: Any, cpu: dict[int, float], with_pss: bool) -> tuple[int, int | None]:
    """(RSS, PSS or None) summed over the process and its descendants; records each one's CPU seconds in `cpu`.

    RSS counts each shared page (libpython, spaCy's and PDFium's libraries) once per process that maps it; PSS
    splits shared pages between the processes, so its sum is the memory the tree really occupies.
    """
    import psutil

    rss = pss = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            if with_pss:
                info = p.memory_full_info()
                pss += getattr(info, "pss", info.rss)
            else:
                info = p.memory_info()
            times = p.cpu_times()
        except psutil.Error:
            continue
        rss += info.rss
        cpu[p.pid] = times.user + times.system
    return rss, pss if with_pss else None


def tree_cpu(pid: int) -> dict[int, float]:
    """CPU seconds used so far by the process and each of its descendants, by pid."""
    import psutil

    cpu: dict[int, float] = {}
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return cpu
    for p in processes:
        try:
            times = p.cpu_times()
        except psutil.Error:
            continue
        cpu[p.pid] = times.user + times.system
    return cpu


class TreeSampler:
    """Samples a process tree in a thread between start() and stop(): peak RSS sum, peak PSS sum, and the CPU seconds
    each process used while sampled (a process that starts and ends in between counts up to its last sample)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_rss = 0
        self.peak_pss = 0
        self._before: dict[int, float] = {}
        self._cpu: dict[int, float] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self) -> TreeSampler:
        self._before = tree_cpu(self.pid)
        self._thread.start()
        return self

    def stop(self) -> TreeSampler:
        self._done.set()
        self._thread.join()
        self._cpu.update(tree_cpu(self.pid))  # the processes still alive, up to now
        return self

    @property
    def cpu_seconds(self) -> float:
        """CPU seconds the tree used while sampled."""
        return sum(seconds - self._before.get(pid, 0.0) for pid, seconds in self._cpu.items())

    @property
    def peak_rss_mb(self) -> float:
        return self.peak_rss / 2**20

    @property
    def peak_pss_mb(self) -> float:
        return self.peak_pss / 2**20

    def _sample(self) -> None:
        import psutil

        try:
            watched = psutil.Process(self.pid)
        except psutil.Error:
            return
        next_pss = 0.0
        while not self._done.is_set():
            now = time.monotonic()
            try:
                rss, pss = tree_sample(watched, self._cpu, with_pss=now >= next_pss)
            except psutil.Error:
                return
            if pss is not None:
                next_pss = now + PSS_EVERY
                self.peak_pss = max(self.peak_pss, pss)
            self.peak_rss = max(self.peak_rss, rss)
            self._done.wait(SAMPLE_EVERY)
