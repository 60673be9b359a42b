"""Scheduled scans: serve the scan flow as a Prefect deployment, against the configured Prefect server or one we
start for the purpose (Prefect's temporary in-process server cannot run schedules)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from rolesignal.flows.child_process import dies_with_this_process

STARTUP_TIMEOUT = 90.0  # `prefect server start` needed ~10 s here, more on a cold PREFECT_HOME
STOP_TIMEOUT = 15.0


class ServerStartError(Exception):
    """The local Prefect server did not become healthy."""

    def __init__(self, message: str, log_path: Path) -> None:
        super().__init__(message)
        self.log_path = log_path


@dataclass(frozen=True)
class LocalServer:
    """A `prefect server start` subprocess on a loopback port."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def configured_api_url() -> str | None:
    """The Prefect API this process would talk to (PREFECT_API_URL from the environment or the active profile)."""
    from prefect.settings import get_current_settings

    return get_current_settings().api.url


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prefect_home() -> Path:
    from prefect.settings import get_current_settings

    return Path(get_current_settings().home).expanduser()


@contextmanager
def local_server(timeout: float = STARTUP_TIMEOUT, log_dir: Path | None = None) -> Iterator[LocalServer]:
    """Start `prefect server start` on a free loopback port, wait until it answers, stop it (group) on exit."""
    log_dir = log_dir or prefect_home()
    log_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = log_dir / "rolesignal-server.log"
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with open(log_path, "ab") as log:
        # A session of its own: Ctrl-C in the terminal reaches serve, which stops the server after the runner. Tied to
        # this process: a serve killed outright (SIGKILL, the OOM killer) runs no `finally`, and would leave it running.
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=server_environment(f"http://127.0.0.1:{port}/api"),
            start_new_session=True,
            preexec_fn=dies_with_this_process(),
        )
    server = LocalServer(process, port, log_path)
    try:
        _wait_healthy(server, timeout)
        yield server
    finally:
        stop(server.process)


def server_environment(api_url: str) -> dict[str, str]:
    """The environment of a `prefect server start` whose UI shows its own data at `api_url`."""
    env = os.environ | {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_LOGGING_LEVEL": "WARNING"}
    env.pop("PREFECT_API_URL", None)
    # The UI asks the API address the server gives it, which defaults to port 4200 whatever --port says: without this
    # the page reports "Can't connect to Server API" or, worse, shows another server's data.
    env.pop("PREFECT_UI_API_URL", None)  # an older alias of the setting, which would take the value a user gave it
    env["PREFECT_SERVER_UI_API_URL"] = api_url
    return env


def _wait_healthy(server: LocalServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerStartError(f"the Prefect server exited with code {server.process.returncode}", server.log_path)
        try:
            with urllib.request.urlopen(f"{server.api_url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise ServerStartError(f"the Prefect server did not answer within {timeout:g} s", server.log_path)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, then SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


@contextmanager
def using_api(url: str) -> Iterator[None]:
    """Talk to the Prefect API at `url`, in this process and in the runs it starts."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    previous = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = url
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield
    finally:
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt (until Prefect's runner installs its own graceful handler), so a server we
    started is stopped however serve is asked to stop."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def schedule_of(cron: str | None, interval: float | None) -> dict[str, Any]:
    if (cron is None) == (interval is None):
        raise ValueError("give exactly one of cron or interval")
    return {"cron": cron} if cron else {"interval": interval}


@dataclass(frozen=True)
class Served:
    """The deployment serve registered, and whether a first run was asked for at once."""

    deployment_id: str
    deployment_name: str
    ui_url: str | None
    run_now: bool


def serve_scans(
    name: str,
    parameters: dict[str, Any],
    cron: str | None,
    interval: float | None,
    run_now: bool = True,
    announce: Callable[[Served], None] | None = None,
) -> None:
    """Serve the scan flow with these parameters on the schedule until SIGINT/SIGTERM (one run at a time); with
    `run_now`, the first scan runs at once instead of a whole interval later. `announce` is told what was registered
    before the runner starts."""
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.exceptions import TerminationSignal
    from prefect.runner import Runner

    from rolesignal.flows.prefect_adaptations import runs_forked_from_server
    from rolesignal.flows.prefect_ui import ui_link
    from rolesignal.flows.scan import scan_folder

    with runs_forked_from_server(parameters.get("rules_dir")):
        # What `scan_folder.serve()` does, with a run asked for between registering and polling: the runner's first
        # poll then starts it.
        runner = Runner(name=name, limit=1)
        deployment_id = str(
            runner.add_flow(scan_folder, name=name, parameters=parameters, **schedule_of(cron, interval))
        )
        if run_now:
            with get_client(sync_client=True) as client:
                client.create_flow_run_from_deployment(deployment_id)
        if announce is not None:
            announce(Served(deployment_id, f"{scan_folder.name}/{name}", ui_link("deployment", deployment_id), run_now))
        try:
            asyncio.run(runner.start())
        except (KeyboardInterrupt, TerminationSignal):
            pass  # asked to stop: the runner has paused the schedule and stopped its runs
