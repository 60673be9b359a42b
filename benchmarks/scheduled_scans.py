"""Scans as `rolesignal serve` runs them: one serve process, each run asked for through the Prefect API (as its
schedule would), timed by the server from the runner taking the run (Pending) to its final state."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.process_tree import TreeSampler, tree_cpu

DEPLOYMENT = "bench-scan"
NEVER_DUE = "0 0 1 1 *"  # the schedule serve is given: runs come only when the benchmark asks for them
STARTUP_TIMEOUT = 120.0
RUN_TIMEOUT = 1800.0


def _knows_no_run_now(rolesignal: Path, env: dict[str, str]) -> bool:
    """Whether this `rolesignal serve` runs a scan at start unless told --no-run-now (an older checkout does not)."""
    done = subprocess.run([str(rolesignal), "serve", "--help"], env=env, capture_output=True, text=True, check=False)
    return "--no-run-now" in done.stdout


class ServedScans:
    """`rolesignal serve FOLDER` against the benchmark's Prefect server, for the duration of the block."""

    def __init__(
        self,
        folder: Path,
        db: Path,
        env: dict[str, str],
        server_pid: int,
        log: Path,
        rolesignal: Path | None = None,
        name: str = DEPLOYMENT,
    ) -> None:
        """`rolesignal`: the command to serve with (default: this interpreter's), e.g. another checkout's, to compare
        two versions in one session; `name`: the deployment's, one per serve."""
        self.folder = folder
        self.db = db
        self.env = env
        self.server_pid = server_pid
        self.log = log
        self.rolesignal = rolesignal or Path(sys.executable).with_name("rolesignal")
        self.name = name
        self.process: subprocess.Popen[bytes] | None = None
        self.deployment_id: Any = None
        self.start_seconds = 0.0

    def __enter__(self) -> ServedScans:
        command = [
            str(self.rolesignal),
            "serve",
            str(self.folder),
            "--db",
            str(self.db),
            "--cron",
            NEVER_DUE,
            "--name",
            self.name,
        ]
        if _knows_no_run_now(self.rolesignal, self.env):
            command.append("--no-run-now")  # the benchmark asks for each run itself: no scan at start to race it
        started = time.perf_counter()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        try:
            self.deployment_id = self._wait_for_deployment()
        except BaseException:
            self._stop()
            raise
        self.start_seconds = time.perf_counter() - started
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def run(self, db: Path, batch_size: int | None = None) -> dict[str, Any]:
        """One scan of the folder into `db`: its duration as the Prefect server recorded it, the peak memory and the
        CPU seconds of serve's process tree (serve, its forkserver, the run and its workers) and of the server."""
        from prefect.client.orchestration import get_client

        assert self.process is not None
        parameters: dict[str, Any] = {"db": str(db)}
        if batch_size is not None:
            parameters["batch_size"] = batch_size
        server_cpu = sum(tree_cpu(self.server_pid).values())
        sampler = TreeSampler(self.process.pid).start()
        with get_client(sync_client=True) as client:
            run = client.create_flow_run_from_deployment(self.deployment_id, parameters=parameters)
            try:
                state = self._wait_until_done(client, run.id)
            finally:
                sampler.stop()
            states = client.read_flow_run_states(run.id)
        if not state.is_completed():
            raise RuntimeError(f"the scheduled scan ended {state.type.value}: {state.message}; see {self.log}")
        at = {s.type.value: s.timestamp for s in states}
        final = max(s.timestamp for s in states if s.is_final())
        return {
            "seconds": (final - at["PENDING"]).total_seconds(),
            "running_seconds": (final - at["RUNNING"]).total_seconds(),
            "peak_rss_mb": sampler.peak_rss_mb,
            "peak_pss_mb": sampler.peak_pss_mb,
            "cpu_s": sampler.cpu_seconds,
            "server_cpu_s": sum(tree_cpu(self.server_pid).values()) - server_cpu,
        }

    def _wait_for_deployment(self) -> Any:
        from prefect.client.orchestration import get_client

        deadline = time.monotonic() + STARTUP_TIMEOUT
        with get_client(sync_client=True) as client:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"rolesignal serve exited with {self.process.returncode}; see {self.log}")
                try:
                    deployment = client.read_deployment_by_name(f"scan-folder/{self.name}")
                except Exception:  # not registered yet
                    time.sleep(0.25)
                    continue
                # Registered (or updated, when a serve of the same name ran before) once serve's forkserver has done
                # its imports; a serve that stopped left it paused.
                if deployment.parameters.get("folder") == str(self.folder.resolve()) and not deployment.paused:
                    return deployment.id
                time.sleep(0.25)
        raise RuntimeError(f"rolesignal serve did not start within {STARTUP_TIMEOUT:g} s; see {self.log}")

    def _wait_until_done(self, client: Any, run_id: Any) -> Any:
        """The run's final state, once its process has ended (Prefect's teardown after the final state counts too).

        Asking the API every 0.2 s cost the server ~2.5 s of CPU over a 20 s scan, a load users do not add: the run's
        process is watched instead (every 50 ms, from /proc), the API asked every 2 s and once at the end.
        """
        import psutil

        assert self.process is not None
        children = psutil.Process(self.process.pid).children()
        forkserver = next((p for p in children if "forkserver" in " ".join(p.cmdline())), None)
        if forkserver is None:  # a serve that spawns its runs (a version without the forkserver): asked every 0.5 s
            return self._wait_for_final_state(client, run_id)
        deadline = time.monotonic() + RUN_TIMEOUT
        next_ask = 0.0
        seen = False
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"rolesignal serve exited with {self.process.returncode}; see {self.log}")
            running = forkserver.children()
            seen = seen or bool(running)
            if seen and not running:
                break
            if time.monotonic() >= next_ask:  # a run that failed before its process started
                state = client.read_flow_run(run_id).state
                if state is not None and state.is_final() and not running:
                    return state
                next_ask = time.monotonic() + 2.0
            time.sleep(0.05)
        return self._wait_for_final_state(client, run_id, deadline)

    def _wait_for_final_state(self, client: Any, run_id: Any, deadline: float | None = None) -> Any:
        deadline = deadline or time.monotonic() + RUN_TIMEOUT
        while time.monotonic() < deadline:
            state = client.read_flow_run(run_id).state
            if state is not None and state.is_final():
                return state
            time.sleep(0.5)
        raise RuntimeError(f"the scheduled scan did not finish within {RUN_TIMEOUT:g} s; see {self.log}")

    def _stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
