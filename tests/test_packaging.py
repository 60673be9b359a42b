"""One distribution, one top-level name: installing rolesignal cannot shadow or be shadowed by a user's `flows`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from importlib.metadata import distribution
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_installed_distribution_has_one_top_level_name() -> None:
    assert distribution("rolesignal").read_text("top_level.txt").split() == ["rolesignal"]


def test_wheel_holds_only_rolesignal_with_its_data(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("extractors", "rules", "warehouse", "flows"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    command = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index"]
    subprocess.run([*command, "-w", str(wheels), str(source)], check=True, capture_output=True)
    (wheel,) = wheels.glob("rolesignal-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (top_level,) = [n for n in names if n.endswith(".dist-info/top_level.txt")]
        assert archive.read(top_level).decode().split() == ["rolesignal"]
    assert {name.split("/")[0] for name in names if ".dist-info/" not in name} == {"rolesignal"}
    for data in ("rolesignal/rules/signals.jsonl", "rolesignal/warehouse/views/document_roles.sql"):
        assert data in names
    assert "rolesignal/flows/cli.py" in names and "rolesignal/extractors/pdf.py" in names
