"""Child processes that die with rolesignal however it dies (Linux): the Prefect servers we start."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def dies_with_this_process() -> Callable[[], None] | None:
    """A Popen `preexec_fn` that asks the kernel (prctl PR_SET_PDEATHSIG) to SIGKILL the child when this process
    dies, even by SIGKILL or the OOM killer, where no exit handler runs; None where that cannot be had.

    The kernel sends the signal when the thread that forked ends, not the process: only the main thread lives as long
    as the process, so a child started from another thread is left as it is (None).
    """
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    import ctypes

    # Looked up now: the function runs between fork and exec, where it should only call.
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def die_with_parent() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the request: nobody will send the signal
            os._exit(1)

    return die_with_parent
