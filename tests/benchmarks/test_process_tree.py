"""The benchmark's process-tree sampler: memory and CPU of a process and the processes it starts."""

from __future__ import annotations

import subprocess
import sys

from benchmarks.process_tree import TreeSampler

# A parent that starts a child holding 80 MB (written, so resident) and spinning for 1.5 s of CPU, then waits for it.
CHILD = (
    "import time\nblock = b'x' * (80 * 2**20)\nend = time.process_time() + 1.5\nwhile time.process_time() < end: pass\n"
)
FAMILY = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {CHILD!r}], check=True)"


def test_the_sampler_sees_a_child_s_memory_and_cpu() -> None:
    process = subprocess.Popen([sys.executable, "-c", FAMILY])
    sampler = TreeSampler(process.pid).start()
    process.wait(timeout=60)
    sampler.stop()
    assert process.returncode == 0
    assert sampler.peak_rss_mb >= 80 and sampler.peak_pss_mb >= 70
    assert 1.2 <= sampler.cpu_seconds < 30
