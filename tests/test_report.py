"""report: deterministic chapters, golden files, --check, the sandbox, and what never gets printed.

Golden files live in tests/fixtures/analysis/golden/; refresh them after an intended change with
    GRONDMOTIEF_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_report.py
and review the diff.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from grondmotief.errors import ReportError
from grondmotief.report import render_report
from grondmotief.study import Study

FIXTURE = Path(__file__).parent / "fixtures" / "analysis"
GOLDEN = FIXTURE / "golden"
UPDATE = os.environ.get("GRONDMOTIEF_UPDATE_GOLDEN") == "1"


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("golden", "chapters"))
    return dest


def report(cli, study_dir: Path, *args: str):
    return cli("report", "--study", str(study_dir), *args)


def add_template(study_dir: Path, name: str, text: str) -> None:
    (study_dir / "templates").mkdir(exist_ok=True)
    (study_dir / "templates" / name).write_text(text, encoding="utf-8")


def test_render_is_deterministic_and_matches_golden(study_dir: Path) -> None:
    first = render_report(Study.open(study_dir)).files
    second = render_report(Study.open(study_dir)).files
    assert first == second
    assert sorted(first) == [
        "01-ervaringen.md",
        "02-grondmotieven.md",
        "03-bijlage-codeboek.md",
        "04-bijlage-organisaties.md",
        "figures/cooccurrence-motive-theme.svg",
    ]
    if UPDATE:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, text in first.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_text(text, encoding="utf-8", newline="\n")
    golden = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8") for p in GOLDEN.rglob("*") if p.is_file()}
    assert golden == first, (
        "chapters differ from tests/fixtures/analysis/golden (GRONDMOTIEF_UPDATE_GOLDEN=1 refreshes)"
    )


def test_chapters_hold_no_flagged_data_and_are_safe_markdown(cli, study_dir: Path) -> None:
    r = report(cli, study_dir)
    assert r.exit_code == 0, r.stderr
    assert "org03¶4 withheld" in r.stderr and "forbidden name" in r.stderr
    chapters = {p.name: p.read_text(encoding="utf-8") for p in (study_dir / "chapters").glob("*.md")}
    text = "".join(chapters.values())
    assert "Klompmaker" not in text and "info@" not in text
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    html = md.render(chapters["04-bijlage-organisaties.md"])
    assert html.count("<tr>") == 5 and html.count("<td>") == 16  # 4 organisations × 4 columns
    assert "<b>" not in html and "<em>" not in html
    html = md.render(chapters["01-ervaringen.md"])
    assert "<script" not in html and html.count("<h2>") == 3
    figure = (study_dir / "chapters" / "figures" / "cooccurrence-motive-theme.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in figure and "Liefde" in figure  # no date; text kept as text


def test_subprocess_renders_identical_bytes_across_hash_seeds(tmp_path: Path) -> None:
    outs = []
    for seed in ("1", "2"):
        dest = tmp_path / f"s{seed}"
        shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("golden", "chapters"))
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env.pop("GRONDMOTIEF_STUDY", None)
        subprocess.run(
            [sys.executable, "-m", "grondmotief", "--study", str(dest), "report"],
            check=True,
            capture_output=True,
            env=env,
        )
        outs.append(
            {p.relative_to(dest).as_posix(): p.read_bytes() for p in (dest / "chapters").rglob("*") if p.is_file()}
        )
    assert outs[0] == outs[1] and len(outs[0]) == 5


def test_check_names_stale_chapter_and_writes_nothing(cli, study_dir: Path) -> None:
    assert report(cli, study_dir).exit_code == 0
    ok = report(cli, study_dir, "--check")
    assert ok.exit_code == 0 and "up to date" in ok.stderr
    chapter = study_dir / "chapters" / "02-grondmotieven.md"
    chapter.write_text(
        chapter.read_text(encoding="utf-8").replace("Grondmotieven per thema", "Oud kopje"), encoding="utf-8"
    )
    (study_dir / "chapters" / "04-bijlage-organisaties.md").unlink()
    before = chapter.read_bytes()
    stale = report(cli, study_dir, "--check")
    assert stale.exit_code == 1
    assert "stale: chapters/02-grondmotieven.md (would change)" in stale.stderr
    assert "stale: chapters/04-bijlage-organisaties.md (missing)" in stale.stderr
    assert "01-ervaringen" not in stale.stderr
    assert "-## Oud kopje" in stale.stdout and "+## Grondmotieven per thema" in stale.stdout
    assert chapter.read_bytes() == before and not (study_dir / "chapters" / "04-bijlage-organisaties.md").exists()


def test_report_keeps_files_it_did_not_create(cli, study_dir: Path) -> None:
    notes = study_dir / "chapters" / "notities.md"
    notes.parent.mkdir()
    notes.write_text("eigen aantekeningen\n", encoding="utf-8")
    r = report(cli, study_dir)
    assert r.exit_code == 0 and notes.read_text(encoding="utf-8") == "eigen aantekeningen\n"
    again = report(cli, study_dir)
    assert "0 changed" in again.stderr and "wrote" not in again.stderr
    assert not list((study_dir / "chapters").rglob("*.tmp"))


def test_study_template_overrides_and_empty_disables(cli, study_dir: Path) -> None:
    add_template(
        study_dir,
        "01-ervaringen.md.j2",
        "# Eigen hoofdstuk\n\n{{ tally['subsidies'].cases }} van {{ study.transcripts }}\n",
    )
    add_template(study_dir, "03-bijlage-codeboek.md.j2", "{# uitgeschakeld #}\n")
    r = report(cli, study_dir)
    assert r.exit_code == 0, r.stderr
    assert (study_dir / "chapters" / "01-ervaringen.md").read_text(encoding="utf-8") == "# Eigen hoofdstuk\n\n4 van 4\n"
    assert not (study_dir / "chapters" / "03-bijlage-codeboek.md").exists()
    listed = report(cli, study_dir, "--list-templates")
    assert "01-ervaringen.md.j2\ttemplates/01-ervaringen.md.j2" in listed.stdout
    assert "02-grondmotieven.md.j2\t(packaged)" in listed.stdout


def test_eject_copies_a_packaged_template(cli, study_dir: Path) -> None:
    r = report(cli, study_dir, "--eject", "02-grondmotieven.md.j2")
    assert r.exit_code == 0 and (study_dir / "templates" / "02-grondmotieven.md.j2").is_file()
    assert report(cli, study_dir, "--eject", "02-grondmotieven.md.j2").exit_code == 1
    assert report(cli, study_dir, "--eject", "../grondmotief.yaml").exit_code == 1


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("# Titel\n\n{{ ''.__class__.__mro__ }}\n", 3, "not allowed in a template"),
        ("# Titel\n{{ lipsum.__globals__ }}\n", 2, "not allowed in a template"),
        ("# Titel\n\n\n{{ cycler.__init__.__globals__['os'] }}\n", 4, "not allowed in a template"),
        ("{% import 'os' as os %}\n{{ os.system('true') }}\n", 1, "template 'os' not found"),
        ("# Titel\n{{ 'a' * 10000000 }}\n", 2, "not allowed in a template"),
        ("# Titel\n\n{{ codes.nope.label }}\n", 3, "undefined"),
        ("# Titel\n{{ geen_variabele }}\n", 2, "undefined: 'geen_variabele' is undefined"),
        ("# Titel\n{% for %}\n", 2, "template syntax"),
        ("# Titel\n\n{{ crosstab('theme', 'kleur') }}\n", 3, "neither a code group"),
    ],
)
def test_template_errors_name_file_and_line(cli, study_dir: Path, body: str, line: int, message: str) -> None:
    add_template(study_dir, "99-kwaad.md.j2", body)
    r = report(cli, study_dir)
    assert r.exit_code == 1
    assert f"templates/99-kwaad.md.j2:{line}:" in r.stderr and message in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and not (study_dir / "chapters").exists()


def test_symlinked_template_outside_the_folder_is_refused(cli, study_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "geheim.txt"
    secret.write_text("geheime inhoud\n", encoding="utf-8")
    (study_dir / "templates").mkdir(exist_ok=True)
    add_template(study_dir, "05-lek.md.j2", "{% include '_lek.md.j2' %}\n")
    (study_dir / "templates" / "_lek.md.j2").symlink_to(secret)
    r = report(cli, study_dir)
    assert r.exit_code == 1 and "not found" in r.stderr and "geheime" not in r.stderr


def test_chapters_dir_must_stay_inside_the_study(study_dir: Path) -> None:
    settings = study_dir / "grondmotief.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("report:\n", "report:\n  chapters_dir: ../buiten\n"),
        encoding="utf-8",
    )
    from grondmotief.report import chapters_root

    with pytest.raises(ReportError, match="inside the study"):
        chapters_root(Study.open(study_dir))


def test_quick_commands_do_not_import_spacy(study_dir: Path) -> None:
    code = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from grondmotief.cli.app import app\n"
        "codes = []\n"
        f"for args in (['tally'], ['crosstab', 'theme', 'motive', '--clash'], ['quote', '--theme', 'subsidies'], ['report']):\n"
        f"    codes.append(CliRunner().invoke(app, ['--study', {str(study_dir)!r}, *args]).exit_code)\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'sklearn', 'thinc'))\n"
        "print(json.dumps({'codes': codes, 'heavy': heavy}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"codes": [0, 0, 0, 0], "heavy": []}
