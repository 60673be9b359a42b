"""The real `rolesignal` commands, run as a hostile user would, as subprocesses: each case a sentence, nothing lost.

The shared warehouse is written with the store's own functions (no Prefect), holding documents whose titles, text and
file names carry rich markup and terminal control sequences; the read commands are run against it from a separate
process. A few cases run a real scan: one with hostile names, one killed outright, and scans into places that
cannot be written (as root too, through setpriv).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from rolesignal.extractors.types import DocumentBuilder
from rolesignal.warehouse.connect import CONFIG
from rolesignal.warehouse.schema import migrate
from rolesignal.warehouse.store import finish_scan, start_scan, write_batch
from rolesignal.warehouse.types import Processed
from tests.flows.documents import write_inbox
from tests.warehouse import factories

HOSTILE_TITLE = "[/INST] [red]gone[/red] :x:"
# What a document can carry to a terminal besides markup: clear the screen, retitle the window, hide what follows.
CONTROL = "\x1b[2J\x1b]0;pwned\x07\x1b[8m"
CONTROL_SHOWN = "\\x1b[2J\\x1b]0;pwned\\x07\\x1b[8m"
# A file name cannot hold '/', so its markup closes nothing; it can hold a control character.
HOSTILE_NAME = f"[red]gone[bold] :x:{CONTROL}.txt"


def rolesignal_command() -> str:
    return shutil.which("rolesignal") or str(Path(sys.executable).with_name("rolesignal"))


def rolesignal(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([rolesignal_command(), *args], capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("hostile") / "w.duckdb"
    con = duckdb.connect(str(db), config=CONFIG)
    migrate(con)
    scan_id = start_scan(con, factories.ROOT, None, factories.RULES_V1)
    doc = factories.document(HOSTILE_TITLE, f"{factories.ROOT}/hostile.txt")
    written = [Processed(factories.seen(doc), doc, factories.analysis(doc))]
    # The same name in two folders: `explain NAME` lists both paths.
    written += [_hostile_document(f"{factories.ROOT}/{HOSTILE_NAME}"), _hostile_document(f"/data/copy/{HOSTILE_NAME}")]
    write_batch(con, scan_id, written, [], [])
    finish_scan(con, scan_id, {"files_seen": 3, "new": 3})
    con.close()
    return db


def _hostile_document(path: str) -> Processed:
    """A document whose title and requirements carry markup, emoji codes and terminal control sequences."""
    builder = DocumentBuilder()
    builder.add("heading", f"AI Developer {HOSTILE_TITLE} {CONTROL}", level=1)
    builder.add("heading", "Requirements", level=2)
    builder.add("bullet", f"Experience training {HOSTILE_TITLE} models")
    builder.add("bullet", f"Build features on LLM APIs {CONTROL}")
    doc = builder.build(path, factories.content_hash(path), "txt")
    return Processed(factories.seen(doc), doc, factories.analysis(doc))


def test_a_title_with_markup_prints_as_written_in_report_and_sql(warehouse: Path) -> None:
    for args in (["report", "document_roles"], ["sql", "SELECT title FROM document_roles"]):
        done = rolesignal(*args, "--db", str(warehouse))
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        assert "[/INST] [red]gone[/red] :x:" in " ".join(done.stdout.split())


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("COPY files TO '{out}/copy.csv'", "not COPY"),
        ("ATTACH '{out}/other.duckdb' (READ_WRITE)", "not ATTACH"),
        ("SELECT * FROM read_text('/etc/hostname')", "file system operations are disabled"),
        ("INSTALL httpfs", "not LOAD"),
        ("SELECT 1; DELETE FROM files", "one statement at a time"),
    ],
)
def test_sql_neither_writes_nor_reads_outside_the_warehouse(
    warehouse: Path, tmp_path: Path, query: str, message: str
) -> None:
    before = warehouse.read_bytes()
    done = rolesignal("sql", query.format(out=tmp_path), "--db", str(warehouse))
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == [] and warehouse.read_bytes() == before


def test_sql_streams_any_result_but_refuses_a_terminal_table_too_big_to_lay_out(warehouse: Path) -> None:
    query = "SELECT * FROM range(30000000)"
    table = rolesignal("sql", query, "--limit", "0", "--db", str(warehouse))
    assert table.returncode == 2 and "Traceback" not in table.stderr and table.stdout == ""
    assert "the result is too big to lay out as a terminal table" in table.stderr
    cut = rolesignal("sql", query, "--limit", "3", "--format", "markdown", "--db", str(warehouse))
    assert cut.returncode == 0 and cut.stdout.splitlines()[2:] == ["| 0 |", "| 1 |", "| 2 |"]
    assert "(the first 3 rows; --limit N shows more, --limit 0 all)" in cut.stderr


def test_a_file_that_is_no_warehouse_is_one_sentence(tmp_path: Path) -> None:
    db = tmp_path / "notes.duckdb"
    db.write_text("a,b\n1,2\n")
    done = rolesignal("scan", str(tmp_path), "--db", str(db))
    assert done.returncode == 1 and "is not a DuckDB file" in done.stderr and "Traceback" not in done.stderr
    assert db.read_text() == "a,b\n1,2\n"


@pytest.mark.parametrize("args", [["--batch-size", "-1"], ["--file-timeout", "nan"], ["--write-size", "0"]])
def test_option_values_that_would_store_nothing_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    done = rolesignal("scan", str(tmp_path), "--db", str(tmp_path / "w.duckdb"), *args)
    assert done.returncode == 2 and "Invalid value" in done.stderr and not (tmp_path / "w.duckdb").exists()


def _prefect_server_of(scan: subprocess.Popen[bytes], seconds: float, marker: str = "uvicorn") -> psutil.Process:
    """The Prefect server the command starts (its child with `marker` in the command line), once it exists."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert scan.poll() is None, "the command ended before its Prefect server was seen"
        for child in psutil.Process(scan.pid).children():
            try:
                if marker in child.cmdline():
                    return child
            except psutil.NoSuchProcess:
                pass
        time.sleep(0.1)
    raise AssertionError(f"no Prefect server process within {seconds:g} s")


def _gone(process: psutil.Process, seconds: float) -> bool:
    """Whether the process ends (or is left a zombie nobody reaps) within `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the server is tied to the scan on Linux only")
def test_a_killed_scan_leaves_no_prefect_server_behind(tmp_path: Path) -> None:
    write_inbox(tmp_path / "inbox")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}  # the scan starts its temporary server
    scan = subprocess.Popen(
        [rolesignal_command(), "scan", str(tmp_path / "inbox"), "--db", str(tmp_path / "w.duckdb")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        server = _prefect_server_of(scan, 120)
    finally:
        scan.send_signal(signal.SIGKILL)  # as the OOM killer ends a process: no handler runs
        scan.wait()
    try:
        assert _gone(server, 30), "the Prefect server outlived the killed scan"
    finally:
        if not _gone(server, 0):
            server.kill()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the server is tied to serve on Linux only")
def test_a_killed_serve_leaves_no_prefect_server_behind(tmp_path: Path) -> None:
    write_inbox(tmp_path / "inbox")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}  # serve starts `prefect server start`
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    command = [rolesignal_command(), "serve", str(tmp_path / "inbox"), "--db", str(tmp_path / "w.duckdb")]
    serve = subprocess.Popen(
        [*command, "--cron", "0 0 1 1 *", "--no-run-now"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        server = _prefect_server_of(serve, 120, marker="server")
    finally:
        serve.send_signal(signal.SIGKILL)  # no `finally` of serve runs to stop its server
        serve.wait()
    try:
        assert _gone(server, 30), "the Prefect server outlived the killed serve"
    finally:
        if not _gone(server, 0):
            server.kill()


def test_explain_prints_markup_as_written_and_control_characters_as_escapes(warehouse: Path) -> None:
    done = rolesignal("explain", f"{factories.ROOT}/{HOSTILE_NAME}", "--db", str(warehouse))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "\x1b" not in done.stdout and "\x07" not in done.stdout
    out = " ".join(done.stdout.split())
    assert f"/data/inbox/[red]gone[bold] :x:{CONTROL_SHOWN}.txt" in out  # the path line
    assert f"title: AI Developer {HOSTILE_TITLE} {CONTROL_SHOWN}" in out
    assert f"Experience training {HOSTILE_TITLE} models" in out
    assert f"Build features on LLM APIs {CONTROL_SHOWN}" in out


@pytest.mark.parametrize(
    "args",
    [
        ["report", "document_roles"],
        ["report", "document_roles", "--format", "markdown"],
        ["report", "--search", "features", "--wide"],  # a fitted table cuts the requirement before its escapes
        ["sql", "SELECT path, text FROM document_requirements"],
        ["sql", "SELECT path, title FROM document_roles", "--format", "markdown"],
    ],
)
def test_tables_show_control_characters_as_escapes(warehouse: Path, args: list[str]) -> None:
    done = rolesignal(*args, "--db", str(warehouse))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert CONTROL_SHOWN in "".join(done.stdout.split())


@pytest.mark.parametrize("limit", ["1000", "0"])  # --limit 0 streams csv and json
def test_csv_escapes_control_characters_as_tables_do_and_json_in_its_own_syntax(warehouse: Path, limit: str) -> None:
    query = "SELECT title FROM document_roles WHERE title LIKE 'AI Developer%'"
    as_csv = rolesignal("sql", query, "--format", "csv", "--limit", limit, "--db", str(warehouse))
    as_json = rolesignal("sql", query, "--format", "json", "--limit", limit, "--db", str(warehouse))
    assert f"AI Developer {HOSTILE_TITLE} {CONTROL_SHOWN}" in as_csv.stdout and "\x1b" not in as_csv.stdout
    assert "\x1b" not in as_json.stdout and "\\u001b[2J\\u001b]0;pwned\\u0007\\u001b[8m" in as_json.stdout


def test_error_messages_show_file_names_with_escapes(warehouse: Path, tmp_path: Path) -> None:
    missing = rolesignal("explain", f"nothing here {CONTROL}.txt", "--db", str(warehouse))
    ambiguous = rolesignal("explain", HOSTILE_NAME, "--db", str(warehouse))
    no_folder = rolesignal("scan", str(tmp_path / f"gone {CONTROL}"), "--db", str(tmp_path / "w.duckdb"))
    for done in (missing, ambiguous, no_folder):
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert f"nothing here {CONTROL_SHOWN}.txt" in missing.stderr and f"gone {CONTROL_SHOWN}" in no_folder.stderr
    assert f"  /data/inbox/[red]gone[bold] :x:{CONTROL_SHOWN}.txt\n" in ambiguous.stderr


def test_rules_check_names_a_rules_folder_with_escapes(tmp_path: Path) -> None:
    done = rolesignal("rules", "check", str(tmp_path / f"rules {CONTROL}"))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "\x1b" not in done.stdout + done.stderr and f"rules {CONTROL_SHOWN}:0: not a directory" in done.stdout


def test_a_scan_shows_folder_and_file_names_with_escapes(tmp_path: Path) -> None:
    inbox = tmp_path / f"[red]inbox[bold] :x: {CONTROL}"
    inbox.mkdir()
    (inbox / HOSTILE_NAME).write_text(
        f"AI Developer {HOSTILE_TITLE} {CONTROL}\n\nRequirements\n- Build features on LLM APIs {CONTROL}.\n",
        encoding="utf-8",
    )
    done = rolesignal("scan", str(inbox), "--db", str(tmp_path / "w.duckdb"))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert "\x1b" not in done.stdout + done.stderr and "\x07" not in done.stdout + done.stderr
    assert f"Scanning {inbox}".replace(CONTROL, CONTROL_SHOWN) in done.stderr
    listed = rolesignal("report", "document_roles", "--db", str(tmp_path / "w.duckdb"))
    assert HOSTILE_NAME.replace(CONTROL, CONTROL_SHOWN) in listed.stdout


def _bound_by_permissions(probe: Path) -> list[str]:
    """A command prefix under which file permissions bind: none for a user; for root, setpriv without the
    capabilities that override them (root writes into any chmod 555 folder). Skips when neither can be had."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("root ignores file permissions, and there is no setpriv to give that up")
    caps = "-dac_override,-dac_read_search"
    prefix = [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]
    tried = subprocess.run([*prefix, sys.executable, "-c", f"open({str(probe)!r}, 'w')"], capture_output=True)
    if tried.returncode == 0:
        probe.unlink()
        pytest.skip("setpriv could not take the power to override file permissions from root")
    return prefix


def _rolesignal_warehouse(db: Path) -> None:
    con = duckdb.connect(str(db), config=CONFIG)
    migrate(con)
    con.close()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("a read-only folder", "cannot write in {folder} (the warehouse and its lock file live there)"),
        ("a warehouse in a read-only folder", "cannot write in {folder} (the warehouse and its lock file live there)"),
        ("a read-only warehouse file", "cannot write {db} (its permissions forbid it)"),
        ("a read-only lock file", "cannot write {db}.scan.lock (its permissions forbid it)"),
    ],
)
def test_a_warehouse_that_cannot_be_written_is_one_sentence_before_prefect_starts(
    tmp_path: Path, case: str, message: str
) -> None:
    folder, inbox = tmp_path / "warehouse", tmp_path / "inbox"
    folder.mkdir()
    inbox.mkdir()
    db = folder / "w.duckdb"
    if case != "a read-only folder":
        _rolesignal_warehouse(db)
    if case == "a read-only lock file":
        Path(f"{db}.scan.lock").touch()
    read_only = {"a read-only warehouse file": db, "a read-only lock file": Path(f"{db}.scan.lock")}.get(case, folder)
    before = sorted((p.name, p.read_bytes()) for p in folder.iterdir())
    read_only.chmod(0o555 if read_only.is_dir() else 0o444)
    try:
        prefix = _bound_by_permissions(folder / "probe" if read_only.is_dir() else read_only)
        done = subprocess.run(
            [*prefix, rolesignal_command(), "scan", str(inbox), "--db", str(db)], capture_output=True, text=True
        )
    finally:
        read_only.chmod(0o755 if read_only.is_dir() else 0o644)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith(f"rolesignal: {message.format(folder=folder, db=db)}")
    assert done.stderr.count("\n") == 1 and "Scanning" not in done.stderr, "one sentence, before Prefect starts"
    assert sorted((p.name, p.read_bytes()) for p in folder.iterdir()) == before


def test_a_warehouse_in_a_read_only_folder_can_still_be_read(tmp_path: Path, warehouse: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    shutil.copy(warehouse, folder / "w.duckdb")
    folder.chmod(0o555)
    try:
        prefix = _bound_by_permissions(folder / "probe")
        done = subprocess.run(
            [*prefix, rolesignal_command(), "report", "document_roles", "--db", str(folder / "w.duckdb")],
            capture_output=True,
            text=True,
        )
    finally:
        folder.chmod(0o755)
    assert done.returncode == 0 and HOSTILE_TITLE in done.stdout, done.stderr
