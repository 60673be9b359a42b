"""The scan flow: lock → prepare the warehouse and list the folder → plan → read and analyse in batches → write each
batch → mark removed → summarise and report."""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner

# The warehouse's functions come through the package, which imports a module on first use: `rolesignal serve` imports
# this module to register the flow, and its process does without DuckDB and pyarrow (~50 MB); the runs it forks have
# them preloaded (flows/serve.py).
from rolesignal import warehouse
from rolesignal.extractors.read import DEFAULT_TIMEOUT
from rolesignal.flows import progress
from rolesignal.flows.inventory import ScanPlan, discover, plan_scan
from rolesignal.flows.pool import shared_pool
from rolesignal.flows.prefect_adaptations import unwalked
from rolesignal.rules.load import load_rules
from rolesignal.rules.types import RuleSet
from rolesignal.warehouse.connect import HeldConnection, open_warehouse, scan_lock
from rolesignal.warehouse.types import Failed, Processed, SeenFile

if TYPE_CHECKING:
    import duckdb

_ANALYZERS: dict[str, Any] = {}
# While batches are written, the writable connection is kept between writes: given up when a reader waits, and at
# least this often for programs that cannot say they wait (the duckdb CLI).
HOLD_SECONDS = 10.0
_HELD: dict[str, HeldConnection] = {}


def analyzer_for(rules: RuleSet) -> Any:
    """One Analyzer per process and rules version: building spaCy matchers costs far more than one file."""
    # Imported here: most scans analyse in worker processes, and spaCy costs this process ~80 MB.
    from rolesignal.flows.analyse import Analyzer

    if rules.version not in _ANALYZERS:
        _ANALYZERS[rules.version] = Analyzer(rules)
    return _ANALYZERS[rules.version]


@contextmanager
def connection(db: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable connection: the held one while batches are written, otherwise a short-lived one."""
    if db in _HELD:
        with _HELD[db].connection() as con:
            yield con
        return
    with closing(open_warehouse(db)) as con:
        yield con


@contextmanager
def held_writes(db: str) -> Iterator[None]:
    """Warehouse uses in the block share a connection, given up when a reader waits and at least every HOLD_SECONDS."""
    _HELD[db] = HeldConnection(db, HOLD_SECONDS)
    try:
        yield
    finally:
        _HELD.pop(db).close()


@task(name="prepare-scan", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[1, 4])
def prepare_scan(db: str, root: str, rules: RuleSet, retry_failed: bool) -> tuple[int, ScanPlan, int]:
    """Migrate, close scans a killed process left 'running', record the rules and open a scan row while the folder is
    listed; then plan, hashing only files whose stat changed. Returns the scan id, the plan and how many stored
    documents other rules classified."""
    # The listing (a stat per file) runs beside the warehouse work, which releases the GIL in DuckDB.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="list-folder") as lister:
        listing = lister.submit(lambda: list(discover(Path(root))))
        with connection(db) as con:
            warehouse.migrate(con)
            interrupted = warehouse.mark_interrupted(con)  # we hold the scan lock: no other scan of it is alive
            if interrupted:
                get_run_logger().warning("scans %s did not finish (process killed?): marked interrupted", interrupted)
            warehouse.write_catalogue(con, [vars(s) for s in rules.signals.values()], rules.version)
            scan_id = warehouse.start_scan(con, root, str(flow_run.id or "") or None, rules.version)
            stale = len(warehouse.stale_contents(con, rules.version))
            known, stored = warehouse.known_files(con, root), set(warehouse.known_contents(con))
            outdated = warehouse.outdated_contents(con)
        found = listing.result()
    return scan_id, plan_scan(found, known, stored, retry_failed, outdated), stale


@task(name="analyse-batch", cache_policy=NO_CACHE)
def analyse_batch(files: list[SeenFile], rules: RuleSet, file_timeout: float, workers: int) -> list[Processed | Failed]:
    """Read and analyse a batch of files in this process's worker pool (one task per batch: task overhead is ~6 ms).

    Runs wherever the task runner puts it: in a thread of the flow process, or on a Dask worker.
    """
    return shared_pool(rules, workers).process(files, file_timeout)


@task(name="write-batch", cache_policy=NO_CACHE, retries=5, retry_delay_seconds=[0.5, 1, 2, 4, 8])
def write_batch(db: str, scan_id: int, results: list[Processed | Failed], linked: list[SeenFile]) -> None:
    """Write one batch in one transaction."""
    processed = [r for r in results if isinstance(r, Processed)]
    failed = [r for r in results if isinstance(r, Failed)]
    with connection(db) as con:
        warehouse.write_batch(con, scan_id, processed, failed, linked)


@task(name="reclassify-stored", cache_policy=NO_CACHE)
def reclassify(db: str, rules: RuleSet, batch_size: int) -> int:
    """Re-analyse stored documents whose results came from other rules, from their stored blocks (no file reads)."""
    with connection(db) as con:
        stale = warehouse.stale_contents(con, rules.version)
    if stale:  # building an Analyzer here costs a second and ~100 MB: only when there is work
        analyzer = analyzer_for(rules)
    for start in range(0, len(stale), batch_size):
        with connection(db) as con:
            documents = warehouse.load_documents(con, stale[start : start + batch_size])
        analyses = [analyzer(document) for document in documents]
        with connection(db) as con:
            warehouse.write_analyses(con, analyses)
    return len(stale)


@task(name="finish-scan", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[1, 2, 4])
def finish(db: str, scan: dict[str, Any], plan: ScanPlan, linked_failed: list[Failed], failed: int) -> dict[str, Any]:
    """Record unchanged and removed files, close the scan row, summarise the roles of current documents and publish
    the summary (`scan`: scan_id, root, rules_version, reclassified, flow_run_id)."""
    scan_id, root = scan["scan_id"], scan["root"]
    counts = plan.counts() | {"failed": failed}
    with connection(db) as con:
        if linked_failed:
            warehouse.write_batch(con, scan_id, [], linked_failed, [])
        warehouse.touch_files(con, plan.restat, scan_id)
        warehouse.mark_removed(con, plan.removed, scan_id)
        warehouse.mark_seen(con, root, scan_id)  # every other path under root was seen
        warehouse.finish_scan(con, scan_id, counts)
        roles = dict(
            con.execute(
                "SELECT role, count(*) FROM document_roles WHERE path IN (SELECT path FROM files WHERE root = ?) "
                "GROUP BY role ORDER BY role",
                [root],
            ).fetchall()
        )
        failures = con.execute(
            "SELECT file_name, error_type, message FROM ingest_failures "
            "WHERE path IN (SELECT path FROM files WHERE root = ?) ORDER BY path LIMIT 50",
            [root],
        ).fetchall()
    summary = counts | scan | {"roles": roles, "failures": failures}
    # Published here rather than in a task of its own: a task run costs the Prefect server ~0.1 s of CPU.
    publish_summary(summary, db)
    return summary


def batches(items: list[SeenFile], size: int) -> Iterator[list[SeenFile]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# A scan with none of these left the warehouse's documents and failures as the last report described them.
CHANGES = ("new", "changed", "removed", "failed", "reclassified")


def publish_summary(summary: dict[str, Any], db: str) -> None:
    """The run's counts and roles as Prefect artifacts: a table, and a short markdown report when the scan changed
    something (the latest `scan-report` still holds otherwise; each artifact is a call to the Prefect server, a tenth of
    a rescan that finds nothing new)."""
    counts = [{"measure": key, "files": summary[key]} for key in warehouse.COUNT_KEYS]
    roles = [{"measure": f"role: {role}", "files": n} for role, n in sorted(summary["roles"].items())]
    create_table_artifact(key="scan-summary", table=counts + roles, description=f"scan {summary['scan_id']}")
    if not any(summary[key] for key in CHANGES):
        return
    lines = [
        f"# Scan {summary['scan_id']} of `{summary['root']}`",
        "",
        f"Warehouse `{db}`, rules {summary['rules_version']}; "
        f"{summary['reclassified']} stored documents re-classified.",
        "",
        "| " + " | ".join(warehouse.COUNT_KEYS) + " |",
        "|" + "---|" * len(warehouse.COUNT_KEYS),
        "| " + " | ".join(str(summary[k]) for k in warehouse.COUNT_KEYS) + " |",
        "",
        "| role | documents |",
        "|---|---|",
        *(f"| {role} | {n} |" for role, n in sorted(summary["roles"].items())),
    ]
    if summary["failures"]:
        lines += ["", f"## Files that could not be read ({len(summary['failures'])})", ""]
        lines += ["| file | error | what to do |", "|---|---|---|"]
        lines += [f"| {name} | {kind} | {message.replace('|', '/')} |" for name, kind, message in summary["failures"]]
    create_markdown_artifact(key="scan-report", markdown="\n".join(lines), description=f"scan {summary['scan_id']}")


@flow(name="scan-folder", validate_parameters=False)
def scan_folder(
    folder: str,
    db: str,
    rules_dir: str | None = None,
    retry_failed: bool = False,
    batch_size: int = 200,
    file_timeout: float = DEFAULT_TIMEOUT,
    dask_address: str | None = None,
    workers: int | None = None,
    write_size: int = 512,
) -> dict[str, Any]:
    """Scan a folder into the warehouse: new and changed files are read, stored documents follow rules changes.

    One scan per warehouse at a time (ScanInProgress otherwise); each file gets `file_timeout` seconds to be read and
    analysed. Files are read and analysed by `workers` processes (default: one per CPU), or, with `dask_address`
    (tcp://host:port), on that Dask cluster, one worker process per Dask worker; this process writes the warehouse.
    """
    rules = load_rules(rules_dir)
    root = str(Path(folder).resolve())
    analysis = BatchAnalysis(rules, file_timeout, dask_address, workers)
    if db != ":memory:" and not Path(db).expanduser().exists():
        analysis.start()  # a new warehouse: every file will be read, so the workers' start-up overlaps the plan
    # One writable connection serves the whole scan, given up whenever a reader waits (see HeldConnection).
    with scan_lock(db), held_writes(db):
        # unwalked(): Prefect walks every task parameter looking for futures; the rules, the known files and the plan
        # are thousands of objects (a fifth of a no-change rescan's time in the profile).
        scan_id, plan, stale = prepare_scan(db, root, unwalked(rules), retry_failed)
        try:
            return _scan(db, root, rules, scan_id, plan, stale, (batch_size, write_size), analysis)
        except Exception:
            _record_failed_scan(db, scan_id)
            raise


def _scan(
    db: str,
    root: str,
    rules: RuleSet,
    scan_id: int,
    plan: ScanPlan,
    stale: int,
    sizes: tuple[int, int],
    analysis: BatchAnalysis,
) -> dict[str, Any]:
    logger = get_run_logger()
    batch_size, write_size = sizes
    logger.info("scan %s: %d files to read, %d unchanged", scan_id, len(plan.to_read), len(plan.unchanged))
    if plan.to_read:
        analysis.start()
    failed_content: dict[str, Failed] = {}
    failed = len(plan.hash_errors)
    hash_failures = [
        Failed(SeenFile(f.path, f.size, f.mtime_ns, ""), err.error_type, err.message) for f, err in plan.hash_errors
    ]
    if hash_failures:
        write_batch(db, scan_id, unwalked(hash_failures), [])
    n_batches = -(-len(plan.to_read) // batch_size)
    if plan.to_read:
        progress.report(0, len(plan.to_read))  # reading starts now: rates count from here, not from start-up
    pending: list[Processed | Failed] = []
    for number, results in enumerate(analysis.results(batches(plan.to_read, batch_size)), 1):
        pending.extend(results)
        progress.report(min(number * batch_size, len(plan.to_read)), len(plan.to_read))
        for result in results:
            if isinstance(result, Failed):
                failed += 1
                failed_content[result.file.content_hash] = result
        # Also written: what is pending when the next-to-last batch is in (the workers still have the last one), so
        # that once they are done only the last batch is left to write.
        if len(pending) >= write_size or number >= n_batches - 1:
            _write(db, scan_id, pending, f"batch {number}/{n_batches}")
            pending = []
    # Paths whose content was already stored (moved, renamed, duplicated) share its results, or its failure.
    linked_failed = [
        Failed(f, failed_content[f.content_hash].error_type, failed_content[f.content_hash].message)
        for f in plan.linked
        if f.content_hash in failed_content
    ]
    linked_ok = [f for f in plan.linked if f.content_hash not in failed_content]
    if linked_ok:
        write_batch(db, scan_id, [], unwalked(linked_ok))
    failed += len(linked_failed)
    # Stored documents classified by other rules: those found at the start, and any stored content a path now links
    # to (its earlier paths may all have gone). Without either there is nothing to look for.
    reclassified = reclassify(db, unwalked(rules), batch_size) if stale or plan.linked else 0
    reclassified += len(plan.reread)  # stored documents read again by a newer reader are classified anew too
    scan = {
        "scan_id": scan_id,
        "root": root,
        "rules_version": rules.version,
        "reclassified": reclassified,
        "flow_run_id": str(flow_run.id) if flow_run.id else None,
    }
    return finish(db, scan, unwalked(plan), unwalked(linked_failed), failed)


class BatchAnalysis:
    """Where batches are analysed: the local worker pool (through threads) or a Dask cluster.

    `results(batches)` yields each batch's records in order while later batches are being analysed, so the flow
    writes batch k while batch k+1 is read; only `in_flight` batches are held at a time.
    """

    def __init__(self, rules: RuleSet, file_timeout: float, dask_address: str | None, workers: int | None) -> None:
        self.rules = rules
        self.file_timeout = file_timeout
        self.dask_address = dask_address
        # On Dask each Dask worker process runs one reader process; locally one per CPU.
        self.workers = 1 if dask_address else max(1, workers or os.cpu_count() or 1)
        self.in_flight = 8 if dask_address else 2

    def start(self) -> None:
        """Start the local workers (2-3 s of imports) in the background, so they get ready while the flow goes on."""
        if not self.dask_address:
            threading.Thread(target=shared_pool, args=(self.rules, self.workers), daemon=True).start()

    def runner(self) -> Any:
        if self.dask_address:
            from prefect_dask import DaskTaskRunner

            return DaskTaskRunner(address=self.dask_address)
        # Two batches at a time share the pool's queue: its workers never wait for the next task to start.
        return ThreadPoolTaskRunner(max_workers=self.in_flight)

    def results(self, batches: Iterator[list[SeenFile]]) -> Iterator[list[Processed | Failed]]:
        with self.runner() as runner:
            futures: deque[Any] = deque()
            for batch in batches:
                # Locally, unwalked() spares Prefect a walk through the rules and files; prefect-dask turns a quote
                # into a plain tuple on the way, so batches for Dask go as they are.
                wrap = (lambda value: value) if self.dask_address else unwalked
                parameters = {"files": wrap(batch), "rules": wrap(self.rules), "file_timeout": self.file_timeout}
                futures.append(runner.submit(analyse_batch, parameters | {"workers": self.workers}))
                if len(futures) >= self.in_flight:
                    yield futures.popleft().result()
            while futures:
                yield futures.popleft().result()


def _write(db: str, scan_id: int, results: list[Processed | Failed], upto: str) -> None:
    # unwalked(): Prefect would otherwise walk every block and requirement looking for futures (a third of this
    # process's time in the profile).
    write_batch(db, scan_id, unwalked(results), [])
    get_run_logger().info("scan %s: %s written (%d files)", scan_id, upto, len(results))


def _record_failed_scan(db: str, scan_id: int) -> None:
    """Best effort: close the scan row as 'failed' (if even that fails, the next scan marks it interrupted)."""
    try:
        with connection(db) as con:
            warehouse.finish_scan(con, scan_id, {}, status="failed")
    except Exception as exc:
        get_run_logger().warning("could not mark scan %s failed: %s", scan_id, exc)
