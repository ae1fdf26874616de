"""`grondmotief saturation` on a copy of the demo study."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import REPO, run_cli


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    dest.mkdir()
    for part in ("codebooks", "interviews", "codings"):
        shutil.copytree(REPO / part, dest / part)
    return dest


def rows(study: Path, *args: str) -> list[dict]:
    r = run_cli("saturation", "-S", str(study), *args, "-f", "json")
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_interview_order_and_new_codes(demo: Path) -> None:
    # org13 loses its date: it goes after every dated transcript
    path = demo / "interviews" / "org13.md"
    path.write_text(re.sub(r"(?m)^interviewed: .*\n", "", path.read_text(encoding="utf-8")), encoding="utf-8")
    got = rows(demo, "--coder", "anna")
    order = [r["transcript"] for r in got]
    assert order[:3] == ["org01", "org02", "org11"]  # 2023-03-14, then two on 2023-03-21 by id
    assert order[-1] == "org13" and got[-1]["interviewed"] == ""
    assert got[0]["new"] == got[0]["codes"] == got[0]["total"]
    assert got[1]["new_codes"] == ["permits"]  # anna first coded permits in org02
    for prev, r in zip(got, got[1:], strict=False):
        assert r["total"] == prev["total"] + r["new"]
    themes = rows(demo, "--coder", "anna", "--group", "theme")
    assert themes[-1]["total"] == 5 and sum(r["new"] for r in themes) == 5


def test_svg_is_deterministic_and_valid(demo: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    for p in (a, b):
        r = run_cli("saturation", "-S", str(demo), "--svg", str(p), "-f", "csv")
        assert r.exit_code == 0, r.stderr
    assert a.read_bytes() == b.read_bytes()
    root = ET.fromstring(a.read_text(encoding="utf-8"))
    assert root.tag.endswith("svg") and "org14" in a.read_text(encoding="utf-8")
    bad = run_cli("saturation", "-S", str(demo), "--group", "nope")
    assert bad.exit_code == 2 and bad.stderr.startswith("Error:")
