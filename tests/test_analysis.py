"""tally and crosstab on the analysis fixture study, with counts worked out by hand.

The fixture (tests/fixtures/analysis) has four transcripts and two coders. Accepted codes per
passage, union of anna and ben, after roll-up (scarcity/abundance → scarcity-abundance):

    org01¶2  subsidies love efficiency                    (anna + ben)
    org01¶4  permits scarcity scarcity-abundance          (ben rejected love here)
    org01¶6  subsidies                                    (contains an e-mail address)
    org02¶2  care abundance scarcity scarcity-abundance   (anna)
    org02¶4  care equality                                (ben)
    org02¶6  subsidies love                               (hostile Markdown)
    org03¶2  subsidies scarcity-abundance love            (ben; parent code with sphere 'both')
    org03¶4  permits                                      (anna)
    org04¶2  care love efficiency equality                (anna: care love efficiency; ben: + equality)
    org04¶4  subsidies efficiency                         (anna, two disjoint spans)

organisation_type: volunteers-only = org01, org03; volunteer-centred = org02;
professionals-with-volunteers = org04.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from grondmotief.analysis.tallies import clash, coded_passages, crosstab, spheres, tally
from grondmotief.core.errors import UsageProblem
from grondmotief.study.folder import Study

FIXTURE = Path(__file__).parent / "fixtures" / "analysis"


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("golden", "chapters"))
    return dest


@pytest.fixture
def study(study_dir: Path) -> Study:
    return Study.open(study_dir)


PWV, VC, VO = "professionals-with-volunteers", "volunteer-centred", "volunteers-only"


def test_tally_by_organisation_type_exact(study: Study) -> None:
    rows = {r.code: r for r in tally(study, None, by="organisation_type")}
    expected = {  # code: (passages, cases, {value: cases with code})
        "subsidies": (5, 4, {PWV: 1, VC: 1, VO: 2}),
        "permits": (2, 2, {PWV: 0, VC: 0, VO: 2}),
        "care": (3, 2, {PWV: 1, VC: 1, VO: 0}),
        "love": (4, 4, {PWV: 1, VC: 1, VO: 2}),
        "equality": (2, 2, {PWV: 1, VC: 1, VO: 0}),
        "scarcity-abundance": (3, 3, {PWV: 0, VC: 1, VO: 2}),
        "scarcity": (2, 2, {PWV: 0, VC: 1, VO: 1}),
        "abundance": (1, 1, {PWV: 0, VC: 1, VO: 0}),
        "efficiency": (3, 2, {PWV: 1, VC: 0, VO: 1}),
    }
    assert list(rows) == list(expected)  # codebook order
    of = {PWV: 1, VC: 1, VO: 2}
    for code, (passages, cases, by) in expected.items():
        r = rows[code]
        assert (r.passages, r.cases, r.cases_total) == (passages, cases, 4), code
        assert r.by == {v: (k, of[v]) for v, k in by.items()}, code


def test_tally_one_coder_and_rejections_do_not_count(study: Study) -> None:
    rows = {r.code: r for r in tally(study, ["ben"])}
    # ben rejected love on org01¶4; anna's acceptances are not his.
    assert (rows["love"].passages, rows["love"].cases) == (2, 2)  # org03¶2, org04¶2
    assert (rows["subsidies"].passages, rows["subsidies"].cases) == (3, 3)  # org01¶2, org02¶6, org03¶2
    assert rows["abundance"].passages == 0 and rows["scarcity"].passages == 0
    assert rows["scarcity-abundance"].passages == 1  # the parent itself, org03¶2


def test_tally_group_filter(study: Study) -> None:
    assert [r.code for r in tally(study, None, group="theme")] == ["subsidies", "permits", "care"]


def test_crosstab_theme_motive_counts(study: Study) -> None:
    t = crosstab(study, "theme", "motive")
    got = {r: [t.count(r, c) for c in t.cols.keys] for r in t.rows.keys}
    assert t.cols.keys == ["love", "equality", "scarcity-abundance", "scarcity", "abundance", "efficiency"]
    assert got == {
        "subsidies": [3, 0, 1, 0, 0, 2],
        "permits": [0, 0, 1, 1, 0, 0],
        "care": [1, 2, 1, 1, 1, 1],
    }
    assert t.row_totals == {"subsidies": 5, "permits": 2, "care": 3}
    assert t.share("care", "equality") == pytest.approx(2 / 3)


def test_crosstab_by_attribute_and_cases(study: Study) -> None:
    t = crosstab(study, "theme", "organisation_type")
    assert t.cols.keys == [PWV, VC, VO]
    assert [t.count("subsidies", c) for c in t.cols.keys] == [1, 1, 3]  # passages
    assert sum(t.share("subsidies", c) for c in t.cols.keys) == pytest.approx(1.0)
    cases = crosstab(study, "theme", "organisation_type", unit="case")
    assert [cases.count("subsidies", c) for c in cases.cols.keys] == [1, 1, 2]
    top = crosstab(study, "motive", "theme", top_only=True)
    assert "scarcity" not in top.rows.keys and top.count("scarcity-abundance", "care") == 1


def test_crosstab_rejects_unknown_axis(study: Study) -> None:
    with pytest.raises(UsageProblem, match="neither a code group"):
        crosstab(study, "theme", "colour")
    with pytest.raises(UsageProblem, match="at least one code group"):
        crosstab(study, "sector", "organisation_type")


def test_spheres_both_counts_for_neither_pole(study: Study) -> None:
    poles = spheres(study.codebook, "motive")
    assert poles == {
        "love": "civil",
        "equality": "civil",
        "scarcity": "state",
        "abundance": "civil",
        "efficiency": "state",
    }


def test_clash_exact(study: Study) -> None:
    t = clash(study, None, rows="theme", motives="motive")
    rows = {r.code: r for r in t.rows}
    as_tuple = {c: (r.passages, r.civil, r.state, r.clashes, r.cases) for c, r in rows.items()}
    assert as_tuple == {
        "subsidies": (5, 3, 2, 1, 1),
        "permits": (2, 0, 1, 0, 0),
        "care": (3, 3, 2, 2, 2),
    }
    assert (t.total.passages, t.total.civil, t.total.state, t.total.clashes, t.total.cases) == (10, 6, 5, 3, 3)
    # org03¶2 carries only the 'both' parent next to love: no clash.
    assert set(t.passages) == {"org01¶2", "org02¶2", "org04¶2"}
    assert t.passages["org04¶2"].pairs == [("love", "efficiency"), ("equality", "efficiency")]
    assert t.passages["org04¶2"].coders == 2 and t.passages["org01¶2"].coders == 1
    assert rows["care"].pairs == {
        ("love", "efficiency"): 1,
        ("equality", "efficiency"): 1,
        ("abundance", "scarcity"): 1,
    }


def test_coded_passages_union_counts_a_passage_once(study: Study) -> None:
    coded = coded_passages(study)
    assert coded.by_segment["org01¶2"] == {"subsidies", "love", "efficiency"}
    assert set(coded.by_coder["org04¶2"]) == {"anna", "ben"}


# CLI -----------------------------------------------------------------------------------------------
def test_cli_tally_json_by(cli, study_dir: Path) -> None:
    r = cli("tally", "--study", str(study_dir), "--by", "organisation_type", "--format", "json")
    assert r.exit_code == 0, r.stderr
    data = {row["code"]: row for row in json.loads(r.stdout)}
    assert data["subsidies"]["cases"] == 4 and data["subsidies"]["of"] == 4
    assert data["efficiency"]["by"]["organisation_type"][VO] == {"cases": 1, "of": 2}
    assert data["scarcity"]["parent"] == "scarcity-abundance"


def test_cli_tally_csv_and_md(cli, study_dir: Path) -> None:
    r = cli("tally", "--study", str(study_dir), "--by", "organisation_type", "--group", "theme", "--format", "csv")
    assert r.exit_code == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["code"] for row in rows] == ["subsidies", "permits", "care"]
    assert rows[2][VO] == "0" and rows[2][f"{VO} (of)"] == "2"
    md = cli("tally", "--study", str(study_dir), "--by", "organisation_type", "--format", "md")
    assert md.exit_code == 0
    assert "| subsidies | Subsidies | theme | 5 | 4 | 4 | 1 of 1 | 1 of 1 | 2 of 2 |" in md.stdout


def test_cli_tally_coder_default_from_settings(cli, study_dir: Path) -> None:
    settings = study_dir / "grondmotief.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("report:\n", "report:\n  coder: ben\n"), encoding="utf-8"
    )
    r = cli("tally", "--study", str(study_dir), "--format", "json")
    love = next(row for row in json.loads(r.stdout) if row["code"] == "love")
    assert love["passages"] == 2  # ben only
    both = cli("tally", "--study", str(study_dir), "--coder", "anna,ben", "--format", "json")
    assert next(row for row in json.loads(both.stdout) if row["code"] == "love")["passages"] == 4


def test_cli_crosstab_clash_json(cli, study_dir: Path) -> None:
    r = cli("crosstab", "theme", "motive", "--clash", "--study", str(study_dir), "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = {row["theme"]: row for row in json.loads(r.stdout)}
    assert [rows[k]["clashes"] for k in ("subsidies", "permits", "care", "(all)")] == [1, 0, 2, 3]
    assert rows["care"]["cases"] == 2 and rows["(all)"]["civil"] == 6 and rows["(all)"]["state"] == 5
    assert rows["subsidies"]["pairs"] == [{"civil": "love", "state": "efficiency", "passages": 1}]


def test_cli_crosstab_normalize_and_errors(cli, study_dir: Path) -> None:
    r = cli("crosstab", "theme", "motive", "--normalize", "--study", str(study_dir), "--format", "json")
    care = next(row for row in json.loads(r.stdout) if row["theme"] == "care")
    assert care["equality"] == pytest.approx(0.6667, abs=1e-4) and care["total"] == 3
    bad = cli("crosstab", "theme", "nope", "--study", str(study_dir))
    assert bad.exit_code == 2 and "neither a code group" in bad.stderr and bad.stdout == ""
    usage = cli("crosstab", "theme", "motive", "--unit", "paragraph", "--study", str(study_dir))
    assert usage.exit_code == 2


# Decisions that do not count -----------------------------------------------------------------------
def _record(study_dir: Path, coder: str, segment: str, codes: list[str], decision: str = "accepted") -> None:
    from grondmotief.study.codings import Decision

    s = Study.open(study_dir)
    seg = s.segment(segment)
    s.store(coder).record(
        [
            Decision(
                segment=segment,
                code=c,
                decision=decision,
                coder=coder,
                at="2026-03-05T09:00:00Z",
                text_sha=seg.sha,
            )
            for c in codes
        ]
    )


def test_reserved_none_code_never_counts(study_dir: Path) -> None:
    """`_none` ("reviewed, no code applies") is a coder's mark: never a code in tallies or quotes."""
    from grondmotief.report.quotes import QuoteFinder, find_quotes
    from grondmotief.report.render import render_report

    before = Study.open(study_dir)
    tallies = [(r.code, r.passages, r.cases) for r in tally(before)]
    chapters = render_report(before).files
    # ben never coded org01¶6 or org03¶4; he marks them "nothing applies".
    _record(study_dir, "ben", "org01¶6", ["_none"])
    _record(study_dir, "ben", "org03¶4", ["_none"])
    s = Study.open(study_dir)
    coded = coded_passages(s)
    assert "_none" not in coded.by_code and all("_none" not in c for c in coded.by_segment.values())
    assert set(coded.by_coder["org01¶6"]) == {"anna"}  # ben's mark is no agreement with anna
    assert [(r.code, r.passages, r.cases) for r in tally(s)] == tallies
    assert clash(s).total.passages == 10
    quote = next(q for q in find_quotes(s, coded, ["subsidies"], allow_flagged=True) if q.id == "org01¶6")
    assert quote.coders == ["anna"] and "_none" not in quote.codes
    assert QuoteFinder(s, coded).agreement("org03¶4", ["permits"]) == 1
    assert render_report(s).files == chapters


def _edit_org01_2(study_dir: Path) -> None:
    path = study_dir / "interviews" / "org01.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Elk jaar weer die aanvraag.", "Elk jaar opnieuw die aanvraag."),
        encoding="utf-8",
    )


def test_orphaned_decisions_are_counted_not_silently_dropped(study_dir: Path) -> None:
    assert coded_passages(Study.open(study_dir)).orphaned == 0
    _edit_org01_2(study_dir)  # anna accepted 3 codes there, ben 2
    s = Study.open(study_dir)
    coded = coded_passages(s)
    assert coded.orphaned == 5 and "org01¶2" not in coded.by_segment
    assert coded_passages(s, ["ben"]).orphaned == 2
    rows = {r.code: r for r in tally(s, passages=coded)}
    assert rows["subsidies"].passages == 4  # 5 before the edit


ORPHAN_WARNING = "5 accepted decision(s) no longer match their passage; run `grondmotief check`"


@pytest.mark.parametrize(
    "args",
    [
        ("tally",),
        ("tally", "--by", "organisation_type", "--format", "csv"),
        ("crosstab", "theme", "motive"),
        ("crosstab", "theme", "motive", "--clash", "--format", "json"),
        ("quote", "--theme", "subsidies", "--format", "json"),
    ],
)
def test_commands_warn_about_orphaned_decisions(cli, study_dir: Path, args: tuple[str, ...]) -> None:
    clean = cli(*args, "--study", str(study_dir))
    assert clean.exit_code == 0 and "no longer match" not in clean.stderr
    _edit_org01_2(study_dir)
    r = cli(*args, "--study", str(study_dir))
    assert r.exit_code == 0, r.stderr
    assert ORPHAN_WARNING in r.stderr and "no longer match" not in r.stdout


def test_report_check_fails_on_orphans_even_when_up_to_date(cli, study_dir: Path) -> None:
    _edit_org01_2(study_dir)
    written = cli("report", "--study", str(study_dir))
    assert written.exit_code == 0 and ORPHAN_WARNING in written.stderr
    check = cli("report", "--check", "--study", str(study_dir))
    assert check.exit_code == 1
    assert "stale" not in check.stderr  # the chapters match what the study renders ...
    assert (
        "incomplete data: 5 accepted decision(s) no longer match their passage" in check.stderr
    )  # ... but not all of it


# Usage errors (exit 2, naming what is known) ---------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("tally", "--by", "kleur"),
            "--by 'kleur': no transcript has this attribute (attributes: organisation_type, sector)",
        ),
        (
            ("tally", "--group", "thema"),
            "--group 'thema': no such code group; did you mean 'theme'? (groups: theme, motive)",
        ),
        (("tally", "--coder", "carla"), "--coder 'carla': no codings/carla.jsonl (coders: anna, ben)"),
        (("crosstab", "theme", "kleur"), "COLS 'kleur' is neither a code group (theme, motive) nor a transcript"),
        (("crosstab", "kleur", "motive"), "ROWS 'kleur' is neither a code group"),
        (("crosstab", "motive", "theme", "--clash"), "group 'theme' has no codes with `sphere: civil`"),
        (("quote", "--theme", "nosuch"), "--theme 'nosuch': no such code (codes in theme: subsidies, permits, care)"),
        (("quote", "--theme", "love"), "--theme 'love' is in group 'motive', not 'theme'"),
        (("quote", "--code", "org"), "--code 'org': no such code (codes: subsidies, permits"),
        (
            ("quote", "--where", "organisation_type=volunteersonly"),
            "no transcript has organisation_type=volunteersonly (organisation_type: professionals-with-volunteers, "
            "volunteer-centred, volunteers-only)",
        ),
        (("quote", "--transcript", "org99"), "--transcript 'org99': no such transcript (transcripts: org01, org02"),
        (("report", "--coder", "carla"), "--coder 'carla': no codings/carla.jsonl"),
    ],
)
def test_unknown_ids_are_usage_errors(cli, study_dir: Path, args: tuple[str, ...], message: str) -> None:
    r = cli(*args, "--study", str(study_dir))
    assert r.exit_code == 2, r.stderr
    assert message in r.stderr and r.stdout == ""


@pytest.mark.parametrize(
    ("command", "formats", "refused"),
    [
        ("tally", "table|csv|json|md", "jsonl"),
        ("crosstab", "table|csv|json|md", "text"),
        ("quote", "md|text|json|csv", "table"),
    ],
)
def test_format_help_lists_only_accepted_formats(cli, command: str, formats: str, refused: str) -> None:
    help_text = cli(command, "--help").stdout
    assert formats in help_text and "jsonl" not in help_text
    args = ("theme", "motive") if command == "crosstab" else ()
    r = cli(command, *args, "--format", refused)
    assert r.exit_code == 2 and "--format" in r.stderr


# Tables at 80 columns ------------------------------------------------------------------------------
@pytest.fixture
def eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # each command reads the width anew


def test_tally_by_fits_80_columns(cli, study_dir: Path, eighty_columns: None) -> None:
    r = cli("tally", "--by", "organisation_type", "--study", str(study_dir))
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80 and "…" not in r.stdout
    header = next(line for line in lines if "code" in line and "passages" in line)
    assert [h.strip() for h in header.strip("┃ ").split("┃")][-3:] == ["pwv", "vc", "vo"]
    assert "Tussen formele" not in r.stdout  # no label column
    row = next(line for line in lines if " subsidies " in line)
    assert [c.strip() for c in row.split("│")[-4:-1]] == ["1/1", "1/1", "2/2"]  # pwv, vc, vo
    assert "  pwv = professionals-with-volunteers" in lines and "  vo = volunteers-only" in lines
    # md keeps the full names for documents.
    md = cli("tally", "--by", "organisation_type", "--format", "md", "--study", str(study_dir))
    assert md.stdout.splitlines()[0].endswith("| professionals-with-volunteers | volunteer-centred | volunteers-only |")


def test_crosstab_clash_table_rows_are_one_line_each(cli, study_dir: Path, eighty_columns: None) -> None:
    r = cli("crosstab", "theme", "motive", "--clash", "--study", str(study_dir))
    assert r.exit_code == 0, r.stderr
    lines = [line.rstrip() for line in r.stdout.splitlines()]
    assert max(len(line) for line in lines) <= 80
    body = [line for line in lines if line.startswith("│")]
    assert [line.split("│")[1].strip() for line in body] == ["subsidies", "permits", "care", "(all)"]
    assert "most frequent civil × state pair:" in lines
    assert "  subsidies  love × efficiency (1 passage)" in lines
    care = lines.index("  care       love × efficiency, equality × efficiency, abundance × scarcity (1")
    assert lines[care + 1] == "             passage each)"  # a long tie wraps under the pairs
