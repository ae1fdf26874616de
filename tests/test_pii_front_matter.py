"""Personal data in front matter: `check` names file and line, and no output prints it (issue 13, item 2)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli

SECRETS = ("Jan de Vries", "Bakker", "12345678", "Kees Hoogendoorn")


@pytest.fixture
def study(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(FIXTURES / "agree" / "study", dest)
    h1 = dest / "interviews" / "h1.md"
    text = h1.read_text(encoding="utf-8")
    text = text.replace("title: Buurthuis", "title: Stichting Jan de Vries")
    text = text.replace("sector: welzijn", "sector: mevrouw Bakker, 06-12345678")
    text = text.replace("speakers:", "notes: gesproken met Kees Hoogendoorn\nspeakers:")
    h1.write_text(text, encoding="utf-8")
    return dest


def _clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def test_check_names_file_and_line(study: Path) -> None:
    r = run_cli("--study", str(study), "check")
    assert r.exit_code == 1
    out = r.stdout + r.stderr
    assert "interviews/h1.md:3: title may contain personal data (person name)" in out
    assert "interviews/h1.md:6: attributes.sector may contain personal data (person name, phone number)" in out
    assert "interviews/h1.md:9: notes may contain personal data (person name)" in out
    _clean(out)


def test_a_forbidden_name_in_the_title_is_flagged(study: Path) -> None:
    (study / "grondmotief.yaml").write_text(
        "format_version: 1\ncodebook: mini\ncoder: anna\nprivacy:\n  forbidden_names: [Weidebroek]\n", encoding="utf-8"
    )
    h2 = study / "interviews" / "h2.md"
    h2.write_text(h2.read_text(encoding="utf-8").replace("title: ", "title: Weidebroek "), encoding="utf-8")
    r = run_cli("--study", str(study), "check")
    assert "interviews/h2.md:3: title may contain personal data (forbidden name)" in r.stdout + r.stderr
    r = run_cli("--study", str(study), "export", "-f", "json")
    assert "Weidebroek" not in r.stdout


def test_an_allowed_name_is_not_flagged(study: Path) -> None:
    (study / "grondmotief.yaml").write_text(
        "format_version: 1\ncodebook: mini\ncoder: anna\nprivacy:\n  allowed_names: [Jan de Vries]\n", encoding="utf-8"
    )
    r = run_cli("--study", str(study), "check")
    assert "title may contain" not in r.stdout + r.stderr
    assert run_cli("--study", str(study), "report").exit_code == 0
    assert "Stichting Jan de Vries" in (study / "chapters" / "04-bijlage-organisaties.md").read_text(encoding="utf-8")


def test_quote_tally_crosstab_withhold_it(study: Path) -> None:
    for args in (
        ["quote", "--limit", "20"],
        ["quote", "--limit", "20", "-f", "json"],
        ["tally", "--by", "sector"],
        ["tally", "--by", "sector", "-f", "csv"],
        ["crosstab", "sector", "theme"],
        ["crosstab", "sector", "theme", "-f", "md"],
    ):
        r = run_cli("--study", str(study), *args)
        assert r.exit_code == 0, (args, r.stderr)
        _clean(r.stdout + r.stderr)
        assert "h1: attributes.sector withheld from the output: may contain personal data" in r.stderr, args
    r = run_cli("--study", str(study), "tally", "--by", "sector", "-f", "csv")
    assert "(withheld)" in r.stdout


def test_report_and_exports_withhold_it(study: Path, tmp_path: Path) -> None:
    r = run_cli("--study", str(study), "report")
    assert r.exit_code == 0, r.stderr
    chapters = "".join(p.read_text(encoding="utf-8") for p in (study / "chapters").rglob("*.md"))
    _clean(chapters)
    assert "(withheld)" in (study / "chapters" / "04-bijlage-organisaties.md").read_text(encoding="utf-8")
    for fmt in ("csv", "json"):
        r = run_cli("--study", str(study), "export", "-f", fmt)
        assert r.exit_code == 0, r.stderr
        _clean(r.stdout)
    json.loads(run_cli("--study", str(study), "export", "-f", "json").stdout)
    out = tmp_path / "s.qdpx"
    r = run_cli("--study", str(study), "export", "-f", "qdpx", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    with zipfile.ZipFile(out) as zf:
        _clean("".join(zf.read(n).decode("utf-8") for n in zf.namelist()))


def test_several_flagged_values_stay_apart(study: Path) -> None:
    h2 = study / "interviews" / "h2.md"
    h2.write_text(h2.read_text(encoding="utf-8").replace("sector: sport", "sector: meneer Jansen"), encoding="utf-8")
    r = run_cli("--study", str(study), "tally", "--by", "sector", "-f", "csv")
    assert "(withheld 1)" in r.stdout and "(withheld 2)" in r.stdout
    assert "Jansen" not in r.stdout
