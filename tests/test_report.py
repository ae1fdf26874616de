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

from grondmotief.core.errors import ReportError
from grondmotief.report.render import render_report
from grondmotief.study.folder import Study

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
    assert report(cli, study_dir, "--eject", "02-grondmotieven.md.j2").exit_code == 2  # exists: a usage problem
    assert report(cli, study_dir, "--eject", "../grondmotief.yaml").exit_code == 2


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
    from grondmotief.report.render import chapters_root

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


# Dutch wording for every count ---------------------------------------------------------------------
def _write_codings(study_dir: Path, coder: str, decisions: dict[str, list[str]]) -> None:
    from grondmotief.study.codings import Decision

    s = Study.open(study_dir)
    s.store(coder).record(
        [
            Decision(
                segment=seg,
                code=c,
                decision="accepted",
                coder=coder,
                at="2026-03-05T09:00:00Z",
                text_sha=s.segment(seg).sha,
            )
            for seg, codes in decisions.items()
            for c in codes
        ]
    )


def _add_theme(study_dir: Path) -> None:
    """A theme nobody coded: counts of 0."""
    path = study_dir / "codebooks" / "mini.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "  - id: love\n",
            "  - id: access\n    group: theme\n    label: Ingang bij de gemeente\n    definition: De weg naar de gemeente.\n"
            "  - id: love\n",
        ),
        encoding="utf-8",
    )


BAD_DUTCH = [
    r"\b1 van de \d+ organisaties noemen",
    r"\b0 van de",
    r"bevatten er 1 ",
    r"\b1 van de \d+ passages over dit thema bevatten",
    r"Van alle 1 ",
    r"\b1 passages\b",
    r"\b1 organisaties\b",
    r"verspreid over 1 organisatie",
    r"Alle 2 ",
]


def _chapters(study_dir: Path, coders: list[str] | None = None) -> dict[str, str]:
    import re

    files = render_report(Study.open(study_dir), coders).files
    text = "".join(v for k, v in files.items() if k.endswith(".md"))
    for pattern in BAD_DUTCH:
        assert not re.search(pattern, text), pattern
    return files


def test_counts_of_zero_one_and_many_read_as_dutch(study_dir: Path) -> None:
    _add_theme(study_dir)
    many = _chapters(study_dir)  # anna and ben
    assert "Alle 4 organisaties noemen dit thema, in 5 passages." in many["01-ervaringen.md"]  # subsidies
    assert "2 van de 4 organisaties noemen dit thema, in 3 passages." in many["01-ervaringen.md"]  # care
    assert (
        "Van alle 10 gecodeerde passages bevatten er 3 een botsing, verspreid over 3 organisaties."
        in many["02-grondmotieven.md"]
    )
    assert "de codeurs anna en ben: een passage telt mee als minstens één van beiden" in many["01-ervaringen.md"]
    # Nobody coded access: one sentence, no empty breakdown table, no "no quotes" line.
    access = many["01-ervaringen.md"].split("## Ingang bij de gemeente\n")[1].split("\n## ")[0]
    assert access == "\nDe weg naar de gemeente.\n\nGeen van de 4 organisaties noemt dit thema.\n"

    ben = _chapters(study_dir, ["ben"])
    assert "1 van de 4 organisaties noemt dit thema, in 1 passage." in ben["01-ervaringen.md"]  # permits
    assert "Van alle 6 gecodeerde passages bevat er 1 een botsing." in ben["02-grondmotieven.md"]
    assert (
        "1 van de 2 passages over dit thema bevat een botsing: liefde tegenover doelmatigheid; "
        in ben["02-grondmotieven.md"]
    )
    assert "volgen de codering van codeur ben." in ben["01-ervaringen.md"]

    _write_codings(study_dir, "carla", {"org01¶4": ["permits"], "org02¶4": ["love"]})
    carla = _chapters(study_dir, ["carla"])
    assert "Geen van de 2 gecodeerde passages bevat een botsing." in carla["02-grondmotieven.md"]
    assert "| Botsingen |" not in carla["02-grondmotieven.md"]  # no table of zeros
    _write_codings(study_dir, "dora", {"org02¶4": ["love", "efficiency"]})
    one = _chapters(study_dir, ["dora"])
    assert "De enige gecodeerde passage bevat een botsing." in one["02-grondmotieven.md"]
    # Three coders, and one study-wide coder sentence for each chapter that counts.
    three = _chapters(study_dir, ["anna", "ben", "carla"])
    assert (
        "de codeurs anna, ben en carla: een passage telt mee als minstens één van hen" in three["02-grondmotieven.md"]
    )


def test_one_organisation(study_dir: Path) -> None:
    for tid in ("org02", "org03", "org04"):
        (study_dir / "interviews" / f"{tid}.md").unlink()
    files = _chapters(study_dir)
    assert "We spraken met 1 organisatie. Per thema staat of die het thema" in files["01-ervaringen.md"]
    assert "De organisatie noemt dit thema, in 2 passages." in files["01-ervaringen.md"]  # subsidies: ¶2, ¶6
    assert "De organisatie noemt dit thema niet." in files["01-ervaringen.md"]  # care
    assert "We spraken met 1 organisatie." in files["04-bijlage-organisaties.md"]


def test_clash_totals_that_do_not_add_up_are_explained(study_dir: Path) -> None:
    # dora: a clash without a theme (org01¶2), two under two themes (org02¶2, org03¶2), one under one.
    _write_codings(
        study_dir,
        "dora",
        {
            "org01¶2": ["love", "efficiency"],
            "org02¶2": ["abundance", "scarcity", "care", "permits"],
            "org03¶2": ["love", "efficiency", "subsidies", "care"],
            "org04¶2": ["love", "efficiency", "care"],
        },
    )
    text = render_report(Study.open(study_dir), ["dora"]).files["02-grondmotieven.md"]
    assert "Alle 4 gecodeerde passages bevatten een botsing, verspreid over 4 organisaties." in text
    assert (
        "De botsingen in de tabel tellen op tot 5, niet tot 4: 1 botsing staat in een passage zonder thema, "
        "en 2 passages met een botsing tellen bij meer dan één thema mee." in text
    )
    # The union of anna and ben: the table adds up, so nothing to explain.
    assert "tellen op tot" not in render_report(Study.open(study_dir), ["anna", "ben"]).files["02-grondmotieven.md"]


def test_how_clash_quotes_are_chosen_is_said_once(study_dir: Path) -> None:
    text = render_report(Study.open(study_dir)).files["02-grondmotieven.md"]
    assert text.count("De sterkste botsingen zijn") == 1
    assert text.index("De sterkste botsingen zijn") < text.index("### ")


def test_codebook_appendix_names_codes_by_label(study_dir: Path) -> None:
    text = render_report(Study.open(study_dir)).files["03-bijlage-codeboek.md"]
    assert "- verwijzingen door het wijkteam (codeer *Tussen formele en informele zorg*)" in text
    assert "codeer care" not in text
    from grondmotief.report.context import code_refs

    s = Study.open(study_dir)
    assert code_refs("Zie subsidies; Codeer equality_x of love.", s) == "Zie *Subsidies*; Codeer equality_x of love."
    assert code_refs("codeer love *en* [meer]", s) == "codeer *Liefde* \\*en\\* \\[meer\\]"


def test_organisations_appendix_puts_type_first() -> None:
    from grondmotief.report.context import attribute_order

    assert attribute_order(["zeta", "sector", "municipalities", "alpha", "organisation_type", "respondent_role"]) == [
        "organisation_type",
        "sector",
        "respondent_role",
        "municipalities",
        "alpha",
        "zeta",
    ]


def test_figure_has_axis_titles_and_indents_child_codes(study_dir: Path) -> None:
    import re

    svg = render_report(Study.open(study_dir)).files["figures/cooccurrence-motive-theme.svg"]
    x = {m[1]: float(m[0]) for m in re.findall(r'text-anchor: start" x="([\d.]+)" y="[\d.]+"[^>]*>([^<]+)</text>', svg)}
    assert x["Schaarste"] == x["Overvloed"] > x["Schaarste en overvloed"] == x["Liefde"]  # children indented
    assert ">Grondmotieven</text>" in svg and ">Thema's</text>" in svg  # axis titles
