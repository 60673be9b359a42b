"""Every place rolesignal changes how Prefect works inside, each with the gain that pays for it.

Each gain was measured on 2026-12-04 with Prefect 3.9.1 by `python -m benchmarks.adaptation_gain --n 3000` (this
code against a scratch checkout without the adaptation, runs alternated A B, B A, ... in one session; medians of wall
seconds and of CPU seconds of the scan's process tree plus the Prefect server, and the median of the pairs'
differences; on a shared 2-core machine while other test suites ran, so wall time is noisy). An adaptation is kept
only where it saves at least 5% of the scan it speeds up: a scheduled no-change rescan (`--kind scheduled`, 0.4-1.2 s
here) or an ad-hoc `rolesignal scan` that finds nothing new (`--kind ad-hoc`, 1.6-6 s). Dropped after measuring:
preloading `prefect._internal.observers` in the forkserver (1.02 s with it against 1.06 s without, pairs' median
-0.14 s; CPU 0.86 against 0.80 s; 6 runs each; its import costs ~1 ms), and the one-certificate CA file for ad-hoc
scans (1.65 against 1.69 s, pairs' median 0.01 s; CPU 1.57 against 1.62 s; 8 runs each). One is kept for safety, not
speed: the temporary server that dies with the scan.

Each kept one has a test in tests/flows/test_prefect_adaptations.py that fails when the Prefect behaviour it relies on
changes; the Prefect pin in pyproject.toml is the newest release those tests pass with.

Prefect is imported inside the functions: `rolesignal --help` and the read commands never load it.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

# ------------------------------------------------------------------------------------ runs forked from a forkserver

# The rules directory serve's runs use (empty: the bundled rules), for the forkserver's preload (flows/run_preload.py).
RULES_DIR_ENV = "ROLESIGNAL_SERVED_RULES"

# What a scheduled run imports: the forkserver imports it once, so that each run, a fork of it, starts with it loaded.
# "__main__" is the rolesignal command itself (multiprocessing re-imports it in every child otherwise). The forkserver
# skips a name that does not import, silently: the test checks that each one does.
RUN_PRELOAD = [
    "__main__",
    "prefect.flow_engine",
    "prefect.task_engine",
    "prefect.concurrency.sync",
    "prefect.utilities.visualization",
    "anyio._backends._asyncio",
    "rolesignal.flows.scan",
    "rolesignal.warehouse.store",  # with DuckDB and pyarrow, which serve's own process does not import
    "rolesignal.warehouse.schema",
    "rolesignal.flows.run_preload",  # loads the rules the runs use
]


class _ForkserverStarts:
    """Stands in for the multiprocessing module inside prefect.flow_engine: every context it asks for is forkserver."""

    def __getattr__(self, name: str) -> Any:
        import multiprocessing

        return getattr(multiprocessing, name)

    def get_context(self, method: str | None = None) -> Any:
        import multiprocessing

        return multiprocessing.get_context("forkserver")


def _started() -> None:
    """The warm-up fork's work: none."""


@contextmanager
def runs_forked_from_server(rules_dir: str | None = None) -> Iterator[None]:
    """Within the block, Prefect's runner forks each flow run from a forkserver that has imported Prefect and the scan
    flow once, instead of spawning an interpreter that imports them again.

    Prefect: the runner starts every run of a served flow with `prefect.flow_engine.run_flow_in_subprocess`, which
    asks its module's `multiprocessing` for the "spawn" context: ~3 s of CPU per run importing Prefect and rolesignal.
    We: swap that module-level name for one whose every context is forkserver, for the block; the forkserver preloads
    RUN_PRELOAD and the runs' rules (`rules_dir`, None for the bundled ones). A forked run is still a process of its
    own, which the runner can cancel and which can crash without taking serve along; the forkserver is
    single-threaded, so forking it is safe.
    Gain: a scheduled no-change rescan takes 1.16 s instead of 3.66 s (68%; pairs' median 2.19 s; CPU 0.91 s instead
    of 2.20 s; 4 runs each, `--kind scheduled`).
    """
    import multiprocessing
    from multiprocessing import forkserver

    import prefect.flow_engine

    os.environ[RULES_DIR_ENV] = rules_dir or ""  # read by the forkserver's preload, which inherits the environment
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(RUN_PRELOAD)
    forkserver.ensure_running()
    # One fork now: it waits for the imports, so they happen while serve starts, not when the first run is due.
    warm_up = context.Process(target=_started, name="rolesignal-forkserver-warm-up")
    warm_up.start()
    warm_up.join()
    previous = prefect.flow_engine.multiprocessing
    prefect.flow_engine.multiprocessing = _ForkserverStarts()  # type: ignore[assignment]
    try:
        yield
    finally:
        prefect.flow_engine.multiprocessing = previous


# ------------------------------------------------------------------------------ a one-certificate CA file for HTTP

_BEGIN, _END = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"


def one_ca_certificate(home: Path) -> Path:
    """A PEM file holding one CA certificate (the first of certifi's bundle), written once under `home`."""
    path = home / "rolesignal-plain-http-ca.pem"
    if not path.exists():
        import certifi

        bundle = Path(certifi.where()).read_text(encoding="ascii")
        first = bundle[bundle.index(_BEGIN) : bundle.index(_END) + len(_END)]
        home.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(first + "\n", encoding="ascii")
        partial.replace(path)  # atomic: a concurrent scan reads either no file or the whole one
    return path


@contextmanager
def plain_http_api_tls(api_url: str | None) -> Iterator[None]:
    """When the Prefect API is plain HTTP (`api_url` None is Prefect's temporary local server), Prefect's clients
    load a one-certificate CA file instead of certifi's bundle, here and in the processes started in the block: serve
    and its scheduled runs.

    Prefect: every API client builds an SSL context from PREFECT_API_SSL_CERT_FILE, or certifi's bundle, whatever the
    API's scheme: ~45 ms each here (more under load), several per flow run, for certificates a plain-HTTP API never
    shows. We: point PREFECT_API_SSL_CERT_FILE at a file of one certificate. It only narrows what is trusted: a TLS
    connection nobody expected fails verification instead of trusting more. Left alone when the API is https:// or
    PREFECT_API_SSL_CERT_FILE is set (in the environment or the Prefect profile).
    Gain: a scheduled no-change rescan takes 1.15 s instead of 1.88 s under load (39%; CPU 0.95 s instead of 1.03 s;
    6 runs each, `--kind scheduled`), and less loaded 0.45 s instead of 0.46 s by the medians, 0.07 s (15%) by the
    pairs' median, CPU 0.78 s instead of 0.87 s (10%; 0.06-0.12 s less in every pair; 8 runs each). For an ad-hoc
    scan under 5% (see above), so `rolesignal scan` does without it.
    """
    from prefect.settings import PREFECT_API_SSL_CERT_FILE, PREFECT_HOME, temporary_settings

    # Prefect's default is SSL_CERT_FILE (a system bundle, as slow to load): only a file set for Prefect is kept.
    configured = PREFECT_API_SSL_CERT_FILE.value()
    user_set = os.environ.get("PREFECT_API_SSL_CERT_FILE") or (
        configured and configured != os.environ.get("SSL_CERT_FILE")
    )
    if user_set or (api_url is not None and not api_url.startswith("http://")):
        yield
        return
    path = str(one_ca_certificate(Path(PREFECT_HOME.value()).expanduser()))
    os.environ["PREFECT_API_SSL_CERT_FILE"] = path
    try:
        with temporary_settings(updates={PREFECT_API_SSL_CERT_FILE: path}):
            yield
    finally:
        os.environ.pop("PREFECT_API_SSL_CERT_FILE", None)


# ------------------------------------------------------------------------------------ no heartbeat for ad-hoc runs


@contextmanager
def no_heartbeat() -> Iterator[None]:
    """Flow runs started in the block have no heartbeat thread.

    Prefect: each flow run starts a heartbeat thread that sleeps in 1 s steps and joins it when the run ends, so every
    run ends up to 1 s late (PrefectHQ/prefect#21058); no environment variable can unset the frequency (an empty
    value is not None). We: set PREFECT_FLOWS_HEARTBEAT_FREQUENCY to None for the block, which skips the thread.
    Only ad-hoc scans: a served run keeps its heartbeats, which let the server see a crashed run.
    Gain: an ad-hoc no-change scan takes 1.71 s instead of 2.37 s (28%; pairs' median 0.65 s; CPU the same, 1.60 s
    against 1.56 s: the run only waits; 8 runs each, `--kind ad-hoc`).
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


# ------------------------------------------------------------------------------ a temporary server that dies with us


class _ServerDiesWithUs:
    """Stands in for the subprocess module inside prefect.server.api.server: its Popen starts a process that the
    kernel kills when this one dies."""

    def __getattr__(self, name: str) -> Any:
        import subprocess

        return getattr(subprocess, name)

    def Popen(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802 - the name Prefect calls
        import subprocess

        from rolesignal.flows.child_process import dies_with_this_process

        hook = dies_with_this_process()
        if hook is not None:
            kwargs["preexec_fn"] = hook
        return subprocess.Popen(*args, **kwargs)


@contextmanager
def temporary_server_dies_with_us() -> Iterator[None]:
    """Prefect's temporary local server, when the block starts it, dies with this process however this process dies
    (SIGKILL, the OOM killer); on Linux, elsewhere the block changes nothing.

    Prefect: without PREFECT_API_URL, the first API client starts `python -m uvicorn` (SubprocessASGIServer, through
    its module's `subprocess` name) and stops it at exit, in an atexit handler; a process killed outright runs no
    handler, and the server (~196 MB) runs on, one more for every killed scan. We: swap that module-level name, for the
    block, for one whose Popen asks the kernel (prctl PR_SET_PDEATHSIG) to SIGKILL the server when its parent dies.
    SIGKILL because nothing is left to shut down gracefully for: the scan that used it is gone, and its SQLite
    database survives a kill as it survives a crash. A normal exit still stops the server Prefect's way first.
    Gain: not speed: a killed scan leaves no server behind (tests/flows/test_hostile_cli.py kills one to see).
    """
    from prefect.settings import PREFECT_API_URL

    # With a server configured no temporary one starts, and importing Prefect's server module (its whole API) to
    # swap the name would cost ~2.5 s of every scan against a running server.
    if not sys.platform.startswith("linux") or PREFECT_API_URL.value():
        yield
        return
    import prefect.server.api.server

    previous = prefect.server.api.server.subprocess
    prefect.server.api.server.subprocess = _ServerDiesWithUs()  # type: ignore[assignment]
    try:
        yield
    finally:
        prefect.server.api.server.subprocess = previous


# ------------------------------------------------------------------------------- task arguments Prefect need not walk


def unwalked(value: Any) -> Any:
    """`value` as a task argument Prefect passes on as it is, without walking it.

    Prefect: before a task runs it walks every argument, item by item, looking for futures and states to resolve. We:
    wrap the rules, the plan, the files and the results in `prefect.utilities.annotations.quote`, which the task
    receives unwrapped and unwalked (prefect-dask turns a quote into a plain tuple on the way: batches for Dask go as
    they are).
    Gain: a scheduled no-change rescan takes 0.49 s instead of 0.82 s (40%; pairs' median 0.33 s; CPU 0.83 s instead
    of 1.06 s; 6 runs each, `--kind scheduled`).
    """
    from prefect.utilities.annotations import quote

    return quote(value)


# ------------------------------------------------------------------------------------ exit without module teardown


def exit_without_teardown(exc: SystemExit) -> NoReturn:
    """Exit as Python would, without tearing down every module first.

    Prefect: once imported, the interpreter's final teardown of its modules takes ~0.6 s here; what must happen at
    exit (flushing logs and events, which carry the task runs' states, to the server; the worker pool's shutdown)
    Prefect and we do in exit handlers. We: run the exit handlers (threading's, then atexit's, as Python does), flush
    the output, and `os._exit`. A non-daemon thread still running means something must finish, so then Python exits
    the usual way.
    Gain: an ad-hoc no-change scan takes 1.78 s instead of 2.10 s (15%; pairs' median 0.31 s; CPU 1.61 s instead of
    1.87 s; 8 runs each, `--kind ad-hoc`).
    """
    main_thread = threading.main_thread()
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not main_thread):
        raise exc
    code = exc.code
    if not isinstance(code, int):
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    # In Python's order: threading's exit calls first (Prefect drains its log and event services there, while the
    # temporary server it started is still up: its atexit handler stops it), then the atexit handlers.
    threading._shutdown()  # type: ignore[attr-defined]
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`) or stream: nothing more can be said there
            pass
    os._exit(code)
