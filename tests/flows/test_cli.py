"""The command line on a scanned warehouse: scan, report, sql, explain, rules check, and documented help."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from rolesignal.flows.cli import cli
from tests.flows.documents import write_inbox


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    root = tmp_path_factory.mktemp("cli")
    inbox = write_inbox(root / "inbox")
    db = root / "w.duckdb"
    result = CliRunner().invoke(cli, ["scan", str(root / "inbox"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    return db, inbox


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_scan_prints_summary(tmp_path: Path) -> None:
    inbox = write_inbox(tmp_path / "inbox")
    code, out = run("scan", str(inbox["ai"].parent), "--db", str(tmp_path / "w.duckdb"))
    assert code == 0
    assert "files_seen" in out and "ai_developer" in out and "ml_engineer" in out
    assert "1 file(s) could not be read" in out


def test_scan_missing_folder_exits_2(tmp_path: Path) -> None:
    code, out = run("scan", str(tmp_path / "nope"), "--db", str(tmp_path / "w.duckdb"))
    assert code == 2 and "no such folder" in out


def test_scan_invalid_rules_exits_2(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    code, out = run("scan", str(tmp_path), "--db", str(tmp_path / "w.duckdb"), "--rules", str(tmp_path / "rules"))
    assert code == 2 and "signals.jsonl:0: file is missing" in out


def test_report_default_summary(scanned: tuple[Path, dict[str, Path]]) -> None:
    code, out = run("report", "--db", str(scanned[0]), "--format", "json")
    assert code == 0
    rows = {(r["doc_kind"], r["role"]): r["documents"] for r in json.loads(out)}
    assert rows == {("job_posting", "ai_developer"): 1, ("job_posting", "ml_engineer"): 1, ("job_posting", "none"): 1}


def test_report_list_names_views(scanned: tuple[Path, dict[str, Path]]) -> None:
    code, out = run("report", "--list", "--db", str(scanned[0]), "--format", "csv")
    names = {line.split(",")[0] for line in out.splitlines()[1:]}
    assert {"document_roles", "document_requirements", "signal_evidence", "ingest_failures", "scan_history"} <= names


def test_report_unknown_name(scanned: tuple[Path, dict[str, Path]]) -> None:
    code, out = run("report", "nope", "--db", str(scanned[0]))
    assert (code, out) == (2, "rolesignal: no report named 'nope'; `rolesignal report --list` names them\n")


def test_a_misspelt_report_name_gets_a_suggestion(scanned: tuple[Path, dict[str, Path]]) -> None:
    code, out = run("report", "review_qeue", "--db", str(scanned[0]))
    assert code == 2 and "no report named 'review_qeue'; did you mean review_queue" in out


def test_help_lists_each_command_with_its_whole_first_sentence() -> None:
    # click cuts a summary longer than the room left in an 80-column help with "...": first sentences must fit.
    out = CliRunner().invoke(cli, ["--help"], terminal_width=80).output
    assert "..." not in out.split("Commands:")[1]
    for group in (cli, cli.commands["rules"]):
        listing = CliRunner().invoke(group, ["--help"], terminal_width=80).output
        for name, command in group.commands.items():
            first = " ".join((command.help or "").split("\n\n")[0].split())
            assert f"  {name} " in listing and first in " ".join(listing.split()), (name, first)
    assert "Markdown" in CliRunner().invoke(cli, ["scan", "--help"]).output


def test_sql_read_only(scanned: tuple[Path, dict[str, Path]]) -> None:
    db = str(scanned[0])
    code, out = run("sql", "SELECT count(*) AS n FROM document_roles", "--db", db, "--format", "csv")
    assert (code, out.strip()) == (0, "n\n3")
    code, out = run("sql", "DELETE FROM documents", "--db", db)
    assert code == 2 and "only reading statements run here" in out and "not DELETE" in out


def test_sql_cuts_a_long_result_for_the_terminal_and_streams_it_on_request(
    scanned: tuple[Path, dict[str, Path]],
) -> None:
    db = str(scanned[0])
    code, out = run("sql", "SELECT * FROM range(1500) t(n)", "--db", db, "--format", "csv")
    assert code == 0 and out.splitlines()[1:3] == ["0", "1"]
    assert "(the first 1000 rows; --limit N shows more, --limit 0 all)" in out
    assert "999" in out.splitlines() and "1000" not in out.splitlines()
    code, out = run("sql", "SELECT * FROM range(1500) t(n)", "--db", db, "--format", "csv", "--limit", "0")
    assert code == 0 and out.splitlines()[-1] == "1499" and "first 1000" not in out
    code, out = run("sql", "SELECT n FROM range(2) t(n)", "--db", db, "--format", "json", "--limit", "0")
    assert json.loads(out) == [{"n": 0}, {"n": 1}]


def test_sql_missing_warehouse(tmp_path: Path) -> None:
    code, out = run("sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb"))
    assert code == 1 and "no warehouse" in out


def test_a_missing_warehouse_names_where_the_name_came_from_and_the_warehouses_at_hand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ROLESIGNAL_DB", raising=False)
    code, out = run("report", "review_queue")
    expected = "no warehouse at rolesignal.duckdb (the default): `rolesignal scan FOLDER` makes it, --db PATH or "
    assert (code, out) == (1, f"rolesignal: {expected}ROLESIGNAL_DB names another\n")
    for name in ("examples.duckdb", "team.duckdb"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "folder.duckdb").mkdir()  # not a file: not offered
    code, out = run("sql", "SELECT 1", "--db", "nope.duckdb")
    assert code == 1 and out.startswith("rolesignal: no warehouse at nope.duckdb (--db): ")
    assert out.endswith("; in this folder: examples.duckdb, team.duckdb\n")
    monkeypatch.setenv("ROLESIGNAL_DB", "elsewhere.duckdb")
    code, out = run("explain", "x.pdf")
    assert code == 1 and out.startswith("rolesignal: no warehouse at elsewhere.duckdb (ROLESIGNAL_DB): ")


def test_explain_by_file_name(scanned: tuple[Path, dict[str, Path]]) -> None:
    code, out = run("explain", "ai-engineer.pdf", "--db", str(scanned[0]))
    assert code == 0, out
    assert "Hire an AI developer" in out
    assert "ai.rag" in out and "vector storage" in out  # the signal and its guide passage
    assert "five questions" in out


def test_explain_says_when_the_title_decided(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    thin = "# Machine Learning Engineer\n\n## Responsibilities\n- Support the team with weekly status reports\n"
    (inbox / "thin.txt").write_text(thin, encoding="utf-8")
    db = str(tmp_path / "w.duckdb")
    assert run("scan", str(inbox), "--db", db)[0] == 0
    code, out = run("explain", "thin.txt", "--db", db)
    assert code == 0, out
    assert "Going by the title, hire an ML engineer" in out and "DECIDED BY THE TITLE" in out
    code, out = run("sql", "SELECT role, decided_by, title_mismatch FROM document_roles", "--db", db, "--format", "csv")
    assert out.splitlines()[1:] == ["ml_engineer,title,False"]
    code, out = run("report", "review_queue", "--db", db, "--format", "csv")
    assert "decided by the title" in out


def test_explain_shows_evidence_outside_the_requirements(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    call = (
        "# Permit Archive Assistant\n\n"
        "The department is looking to answer questions over its permit archive with retrieval-augmented generation "
        "on an LLM API.\n\nToday the archive is searched by hand. Answers would come from a RAG pipeline calling the "
        "OpenAI API.\n\nStaff would see each LLM API answer with the retrieval-augmented generation sources.\n"
    )
    (inbox / "call.txt").write_text(call, encoding="utf-8")
    db = str(tmp_path / "w.duckdb")
    assert run("scan", str(inbox), "--db", db)[0] == 0
    code, out = run("explain", "call.txt", "--db", db)
    assert code == 0, out
    assert "Hire an AI developer: the work is stated outside a requirements list" in " ".join(out.split())
    assert "Evidence outside the stated requirements" in out
    assert "evidence by place: requirements ML 0.00 / AI 0.00; prose ML 0.00 / AI " in out
    assert "[body prose] The department is looking to answer questions" in out and "-> ai.rag" in out
    query = "SELECT DISTINCT source, requirement_ordinal IS NULL AS outside FROM signal_evidence"
    code, out = run("sql", query, "--db", db, "--format", "csv")
    assert out.splitlines()[1:] == ["prose,True"]


def test_explain_names_work_of_neither_role(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    posting = (
        "# Reporting Analyst\n\n## Responsibilities\n- Build Power BI dashboards for the finance team\n"
        "- Maintain the monthly KPI pack and the Tableau workbooks\n"
    )
    (inbox / "analyst.txt").write_text(posting, encoding="utf-8")
    db = str(tmp_path / "w.duckdb")
    assert run("scan", str(inbox), "--db", db)[0] == 0
    code, out = run("explain", "analyst.txt", "--db", db)
    assert code == 0, out
    said = " ".join(out.split())
    assert "work of neither role named (4; the decision model counts them towards none): Power BI, dashboard," in said
    code, out = run("sql", "SELECT role, other_work FROM document_roles", "--db", db, "--format", "json")
    assert json.loads(out) == [{"role": "none", "other_work": ["Power BI", "dashboard", "KPI", "Tableau"]}]


def test_explain_unknown_path(scanned: tuple[Path, dict[str, Path]]) -> None:
    code, out = run("explain", "nothing.pdf", "--db", str(scanned[0]))
    assert code == 2 and "no classified document" in out


def test_rules_check_builtin() -> None:
    code, out = run("rules", "check")
    assert code == 0 and out.startswith("ok: 22 signals")


def test_rules_check_reports_problems(tmp_path: Path) -> None:
    code, out = run("rules", "check", str(tmp_path))
    assert code == 1 and "signals.jsonl:0: file is missing" in out


def test_rules_check_warns_of_what_a_very_large_lexicon_costs_and_still_passes(tmp_path: Path) -> None:
    from benchmarks.hostile_sizes import generated_rules
    from rolesignal.rules.load import load_rules

    rules = generated_rules(tmp_path / "rules", phrases=22_000)  # with the bundled ones, past 25,000 patterns
    loaded = load_rules(rules)
    count = len(loaded.signal_patterns) + len(loaded.cues)  # the cues change with the reading habits: count them
    code, out = run("rules", "check", str(rules))
    assert code == 0 and out.startswith(f"ok: 22 signals, {len(loaded.signal_patterns)} signal patterns")
    assert count > 25_000
    expected = (
        f"warning: {count:,} patterns (more than 25,000): each reader process will need about {30 * count // 10_000} MB"
    )
    assert expected in out
    code, out = run("rules", "check")
    assert code == 0 and "warning" not in out


def all_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        found.append((prefix + name, command))
        if isinstance(command, click.Group):
            found += all_commands(command, prefix + name + " ")
    return found


def test_every_command_and_option_is_documented() -> None:
    for name, command in all_commands(cli):
        assert command.help, f"{name} has no help"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts} has no help"


def test_readme_shows_every_command() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for name, _ in all_commands(cli):
        assert f"rolesignal {name}" in readme, f"README does not show `rolesignal {name}`"


def _main(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from rolesignal.flows.cli import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, input=stdin, timeout=120)


def test_the_entry_point_keeps_exit_codes_and_output(scanned: tuple[Path, dict[str, Path]], tmp_path: Path) -> None:
    db, _ = scanned
    ok = _main("sql", "SELECT count(*) AS n FROM document_roles", "--db", str(db), "--format", "csv")
    assert (ok.returncode, ok.stdout) == (0, "n\n3\n")  # the inbox's three readable postings
    missing = _main("sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb"))
    assert missing.returncode == 1 and missing.stderr.startswith("rolesignal: no warehouse at")
    usage = _main("report", "--no-such-option")
    assert usage.returncode == 2 and "No such option" in usage.stderr


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--batch-size", "-1", "-1 is not in the range x>=1"),
        ("--batch-size", "0", "0 is not in the range x>=1"),
        ("--write-size", "0", "0 is not in the range x>=1"),
        ("--file-timeout", "0", "'0' is not a finite number of seconds more than 0"),
        ("--file-timeout", "-5", "'-5' is not a finite number of seconds more than 0"),
        ("--file-timeout", "nan", "'nan' is not a finite number of seconds"),
        ("--file-timeout", "inf", "'inf' is not a finite number of seconds"),
    ],
)
def test_scan_refuses_sizes_and_timeouts_that_would_silently_store_nothing(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    db = tmp_path / "w.duckdb"
    code, out = run("scan", str(tmp_path), "--db", str(db), option, value)
    assert code == 2 and message in out
    assert not db.exists()  # refused at the boundary, before any work


def test_serve_refuses_an_interval_that_is_not_a_finite_number(tmp_path: Path) -> None:
    code, out = run("serve", str(tmp_path), "--interval", "nan")
    assert code == 2 and "'nan' is not a finite number of seconds at least 1" in out


def test_serve_refuses_a_cron_expression_prefect_cannot_read_before_starting_anything(tmp_path: Path) -> None:
    code, out = run("serve", str(tmp_path), "--cron", "garbage")
    assert code == 2
    assert "--cron 'garbage': Invalid cron string" in out and "'*/15 * * * *'" in out


def test_html_and_parquet_to_an_impossible_place_fail_with_a_sentence_and_leave_nothing(
    scanned: tuple[Path, dict[str, Path]], tmp_path: Path
) -> None:
    db = str(scanned[0])
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, out = run("report", "--html", str(blocker / "report.html"), "--db", db)
    assert code == 1 and "a part of its folder path is a file, not a directory" in out
    code, out = run("export", str(blocker / "parquet"), "--db", db)
    assert code == 1 and "Not a directory" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_an_html_report_is_renamed_into_place_and_a_failed_write_leaves_no_partial(tmp_path: Path) -> None:
    from rolesignal.flows.cli_reports import write_atomically

    write_atomically(tmp_path / "report.html", "<html></html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]
    (tmp_path / "taken").mkdir()  # a directory where the file should go: the rename fails
    with pytest.raises(OSError):
        write_atomically(tmp_path / "taken", "<html></html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "taken"]


def test_export_leaves_no_partial_files(scanned: tuple[Path, dict[str, Path]], tmp_path: Path) -> None:
    code, out = run("export", str(tmp_path / "out"), "--db", str(scanned[0]))
    assert code == 0, out
    names = [p.name for p in (tmp_path / "out").iterdir()]
    assert names and all(n.endswith(".parquet") and not n.startswith(".") for n in names)


def test_scanning_the_root_or_a_home_directory_asks_for_yes(tmp_path: Path) -> None:
    from rolesignal.flows.cli import too_wide

    db = tmp_path / "w.duckdb"
    code, out = run("scan", "/", "--db", str(db))
    assert code == 2 and "is the file system root or a home directory" in out and "--yes" in out
    assert not db.exists()
    assert too_wide(Path("/")) and too_wide(Path.home()) and not too_wide(tmp_path)


def test_scan_into_a_file_that_is_no_warehouse_says_so_before_starting_prefect(tmp_path: Path) -> None:
    import time

    db = tmp_path / "notes.duckdb"
    db.write_text("not a database\n")
    started = time.monotonic()
    code, out = run("scan", str(tmp_path), "--db", str(db))
    assert code == 1 and "is not a DuckDB file" in out and "Traceback" not in out
    assert time.monotonic() - started < 5  # no Prefect start-up (about 17 s) before the sentence
    assert db.read_text() == "not a database\n"
