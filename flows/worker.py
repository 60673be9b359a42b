"""The worker side of the analysis pool: a process that builds an Analyzer once, then reads and analyses files.

`rolesignal.flows.pool` starts the first worker as `python -c WORKER_COMMAND` with the descriptors of every worker's two
pipes; once its Analyzer is built it forks one sibling per further pair, and each answers file after file until its
pipe closes.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
from multiprocessing.connection import Connection
from typing import Any

from rolesignal.extractors.errors import ExtractionError
from rolesignal.extractors.read import read_document
from rolesignal.warehouse.types import Failed, Processed, SeenFile

Result = Processed | Failed


def failed(file: SeenFile, exc: ExtractionError) -> Failed:
    """The failure record of a file that could not be read."""
    return Failed(file, exc.error_type, exc.message)


def process_file(file: SeenFile, analyzer: Any) -> Result:
    """Read and analyse one file in this process; a failure is a record, not a raise."""
    try:
        document = read_document(file.path)
    except ExtractionError as exc:  # read_document raises nothing else: unforeseen errors come typed too
        return failed(file, exc)
    try:
        return Processed(file, document, analyzer(document))
    except Exception as exc:  # a bug of ours must not stop the scan: record it for a person to report
        return Failed(file, "internal_error", f"rolesignal could not analyse this file ({type(exc).__name__}: {exc})")


# The worker takes its set-up (the pickled rules, larger than a pipe's buffer) first, so that the pool's constructor
# does not wait for its imports. argv[1] lists (request, reply) descriptor pairs: its own, then its siblings'.
WORKER_COMMAND = (
    "import sys; from multiprocessing.connection import Connection; "
    "fds = [int(fd) for fd in sys.argv[1].split(',')]; "
    "requests = Connection(fds[0], writable=False); setup = requests.recv_bytes(); "
    "from rolesignal.flows.worker import serve_analyses; serve_analyses(requests, fds, setup)"
)


def serve_analyses(requests: Connection, fds: list[int], setup: bytes) -> None:
    """Worker: build the Analyzer from the rules we were sent, fork a sibling per further descriptor pair, then
    process files until the pipe closes."""
    from rolesignal.flows.analyse import Analyzer

    analyzer = Analyzer(pickle.loads(setup))
    # The readers are imported now so that their modules are frozen too: what exists now lives as long as the
    # worker, and freezing it makes a full collection cost ~5 ms instead of ~40 (with the readers left out).
    import rolesignal.extractors.docx
    import rolesignal.extractors.pdf
    import rolesignal.extractors.text  # noqa: F401

    gc.freeze()
    siblings = list(zip(fds[2::2], fds[3::2], strict=True))
    if siblings:
        signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # siblings that die or are killed are reaped by the kernel
    for number, (request_fd, reply_fd) in enumerate(siblings):
        if os.fork() == 0:  # a sibling: shares the frozen imports and matchers with us, copy-on-write
            code = 1
            try:
                requests.close()
                for fd in [fds[1], *(fd for pair in siblings[number + 1 :] for fd in pair)]:
                    os.close(fd)  # ours and the later siblings' ends (the earlier ones' are closed already)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _serve(Connection(request_fd, writable=False), Connection(reply_fd, readable=False), analyzer)
                code = 0
            finally:
                os._exit(code)  # never our parent's exit handlers
        os.close(request_fd)
        os.close(reply_fd)
    _serve(requests, Connection(fds[1], readable=False), analyzer)


def _serve(requests: Connection, replies: Connection, analyzer: Any) -> None:
    """Say ready (with our pid, which the pool needs to stop us), then answer file after file."""
    replies.send(("ready", os.getpid()))
    while True:
        try:
            file = requests.recv()
        except (EOFError, OSError):
            return
        replies.send(process_file(file, analyzer))
        if file.path.lower().endswith(".docx"):
            # python-docx objects hold reference cycles; left to the collector's own pace, dozens of parsed packages
            # pile up and the worker grows by ~100 MB.
            gc.collect()
