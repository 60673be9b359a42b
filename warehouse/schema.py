"""Schema migrations (ordered SQL files, recorded in schema_migrations) and the reporting views."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb

from rolesignal.warehouse.connect import atomic, utcnow
from rolesignal.warehouse.errors import MigrationError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VIEWS_DIR = Path(__file__).parent / "views"
_MIGRATION_NAME = re.compile(r"^(\d{3})_(\w+)\.sql$")
_COMMENT = re.compile(r"--[^\n]*")


def migrations() -> list[tuple[int, str, Path]]:
    """The migration files as (version, name, path), ordered by version."""
    found: dict[int, tuple[int, str, Path]] = {}
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        m = _MIGRATION_NAME.match(path.name)
        if not m:
            raise MigrationError(f"migration file {path.name} is not named NNN_name.sql")
        version = int(m.group(1))
        if version in found:
            raise MigrationError(f"two migrations share version {version}: {found[version][2].name}, {path.name}")
        found[version] = (version, m.group(2), path)
    return [found[v] for v in sorted(found)]


def view_names() -> list[str]:
    """Names of the reporting views, one per views/*.sql file."""
    return sorted(p.stem for p in VIEWS_DIR.glob("*.sql"))


def view_order() -> list[str]:
    """The view names in creation order: every view after the views it selects from (then by name).

    A view depends on another when the other's name appears as a word in its SQL outside comments.
    """
    names = view_names()
    sources = {name: _COMMENT.sub("", (VIEWS_DIR / f"{name}.sql").read_text(encoding="utf-8")) for name in names}
    depends = {
        name: {other for other in names if other != name and re.search(rf"\b{other}\b", sources[name])}
        for name in names
    }
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and depends[n] <= set(ordered)]
        if not ready:
            cycle = sorted(n for n in names if n not in ordered)
            raise MigrationError(f"the views {', '.join(cycle)} select from each other in a cycle")
        ordered.extend(ready)
    return ordered


def view_descriptions() -> dict[str, str]:
    """View name → what it shows, from the first comment line of its file ("-- name: description")."""
    descriptions = {}
    for name in view_names():
        first = (VIEWS_DIR / f"{name}.sql").read_text(encoding="utf-8").splitlines()[0]
        descriptions[name] = first.removeprefix("--").strip().removeprefix(f"{name}:").strip()
    return descriptions


def _applied_versions(con: duckdb.DuckDBPyConnection, tables: set[str]) -> set[int]:
    """Versions recorded in schema_migrations (empty for a new database)."""
    if "schema_migrations" not in tables:
        return set()
    return {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations, each in its own transaction, then (re)create all views; returns applied versions."""
    known = migrations()
    tables = _tables(con)
    done = _applied_versions(con, tables)
    if done and max(done) > known[-1][0]:
        raise MigrationError(
            f"the warehouse has schema version {max(done)}, newer than this rolesignal knows ({known[-1][0]}): "
            "upgrade rolesignal"
        )
    applied: list[int] = []
    for version, name, path in known:
        if version in done:
            continue
        with atomic(con, f"migration {path.name}", MigrationError):
            con.execute(path.read_text(encoding="utf-8"))
            con.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                [version, name, utcnow()],
            )
        applied.append(version)
    # Views are replaced whenever a file changed (or a migration ran), so that a changed definition takes effect
    # without a migration. They are created in dependency order (role_summary after document_roles), so a view may
    # select from any other view.
    sources = {name: (VIEWS_DIR / f"{name}.sql").read_text(encoding="utf-8") for name in view_names()}
    hashes = {name: hashlib.sha256(sql.encode()).hexdigest() for name, sql in sources.items()}
    # Not there with a migrations folder that stops before 003 (tests).
    recorded = "schema_views" in (_tables(con) if applied else tables)
    if applied or not recorded or _created_views(con) != hashes:
        with atomic(con, "creating the views", MigrationError):
            for name in view_order():
                con.execute(sources[name])
            if recorded:
                con.execute("DELETE FROM schema_views")
                created = utcnow()
                con.executemany(
                    "INSERT INTO schema_views (name, sha256, created_at) VALUES (?, ?, ?)",
                    [[name, sha, created] for name, sha in hashes.items()],
                )
    return applied


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables of the main schema: one catalogue query for everything migrate needs to know."""
    return {
        row[0] for row in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()
    }


def _created_views(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """View name → hash of its file when it was created, for the views that exist."""
    return dict(
        con.execute(
            "SELECT s.name, s.sha256 FROM schema_views AS s "
            "INNER JOIN duckdb_views() AS v ON v.view_name = s.name AND v.schema_name = 'main' AND NOT v.internal"
        ).fetchall()
    )
