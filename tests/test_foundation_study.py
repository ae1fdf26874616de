"""Study discovery, settings, codebook, transcripts and codings with the fixture study and broken files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, run_cli
from grondmotief.core.errors import StudyNotFound
from grondmotief.study.folder import Study, find_study
from grondmotief.study.transcripts import parse_segment_ref

BROKEN = FIXTURES / "foundation" / "broken"


def test_discovery_by_flag_env_and_parents(foundation_study: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert find_study(foundation_study) == foundation_study.resolve()
    monkeypatch.setenv("GRONDMOTIEF_STUDY", str(foundation_study))
    assert find_study(None) == foundation_study.resolve()
    monkeypatch.delenv("GRONDMOTIEF_STUDY")
    assert find_study(None, cwd=foundation_study / "interviews") == foundation_study.resolve()
    with pytest.raises(StudyNotFound, match="grondmotief init"):
        find_study(None, cwd=Path("/"))


def test_settings_unknown_key_names_file_and_line(foundation_study: Path) -> None:
    (foundation_study / "grondmotief.yaml").write_text(
        "format_version: 1\ncodebook: mini\nsugest: {threshold: 0.2}\n", encoding="utf-8"
    )
    result = run_cli("--study", str(foundation_study), "check")
    assert result.exit_code == 1
    assert "grondmotief.yaml:3: unknown key 'sugest'" in result.stdout


def test_settings_defaults_without_file(foundation_study: Path) -> None:
    (foundation_study / "grondmotief.yaml").unlink()
    (foundation_study / "codebooks" / "mini.yaml").rename(foundation_study / "codebooks" / "grondmotieven.yaml")
    study = Study.open(foundation_study)
    assert study.settings.suggest.threshold == pytest.approx(0.35)
    assert study.settings.coded_roles == ["respondent"]
    assert study.codebook.name == "Mini"


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("bad_yaml.yaml", "bad_yaml.yaml:5: YAML syntax"),
        ("unknown_key.yaml", "unknown_key.yaml:9: unknown key 'keywordz'"),
        ("duplicate_id.yaml", "duplicate_id.yaml:12: duplicate code id 'subsidies' (first defined at line 6)"),
    ],
)
def test_broken_codebooks_fail_with_file_and_line(fixture: str, expected: str) -> None:
    result = run_cli("codebook", "lint", str(BROKEN / fixture))
    assert result.exit_code == 1
    assert expected in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_lint_reports_every_problem_at_once() -> None:
    result = run_cli("codebook", "lint", str(BROKEN / "lint_many.yaml"))
    assert result.exit_code == 1
    out = result.stdout
    for needle in [
        ":11: code id 'Vergunningen' must be lower-case",
        ":13: code 'Vergunningen' has an empty label",
        ":14: code 'Vergunningen': malformed keyword '*oops'",
        ":14: keyword 'aanvraag' of 'Vergunningen' is also a keyword of 'subsidies' (line 10)",
        ":19: code 'love': unknown token attribute 'LEMA'",
        ":21: code 'care-child' is in group 'theme' but its parent 'love' is in 'motive'",
        ":23: code 'geen-groep' names unknown group 'nergens'",
        ":25: code id 'beëindiging' must be lower-case ASCII",
    ]:
        assert needle in out, needle


def test_codebook_alias_cycle_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "cycle.yaml"
    path.write_text(
        "format_version: 1\nname: C\ngroups: {theme: {label: T}}\ncodes:\n"
        "  - &a {id: a, group: theme, label: A, children: [*a]}\n",
        encoding="utf-8",
    )
    result = run_cli("codebook", "lint", str(path))
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("fixture", "target", "expected"),
    [
        ("latin1.md", "interviews/latin1.md", "interviews/latin1.md:3: not valid UTF-8"),
        (
            "no_front_matter.md",
            "interviews/no_front_matter.md",
            "interviews/no_front_matter.md:1: a transcript starts with a '---' line",
        ),
        ("not_json.jsonl", "codings/tester.jsonl", "codings/tester.jsonl:2: not valid JSON"),
        ("unknown_code.jsonl", "codings/tester.jsonl", "codings/tester.jsonl:1: unknown code 'budgetten'"),
    ],
)
def test_broken_study_files_fail_check(foundation_study: Path, fixture: str, target: str, expected: str) -> None:
    shutil.copy(BROKEN / fixture, foundation_study / target)
    result = run_cli("--study", str(foundation_study), "check", "--no-pii")
    assert result.exit_code == 1
    assert expected in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    if fixture == "latin1.md":
        assert "import --encoding" in result.stdout


def test_check_never_prints_interview_text(foundation_study: Path) -> None:
    shutil.copy(BROKEN / "latin1.md", foundation_study / "interviews" / "latin1.md")
    result = run_cli("--study", str(foundation_study), "check")
    assert "dank u" not in result.stdout + result.stderr


def test_truncated_codings_line_is_kept_aside_not_lost(foundation_study: Path) -> None:
    target = foundation_study / "codings" / "tester.jsonl"
    shutil.copy(BROKEN / "truncated.jsonl", target)
    result = run_cli("--study", str(foundation_study), "check", "--no-pii")
    assert result.exit_code == 1
    assert "codings/tester.jsonl:2: the last line is cut off" in result.stdout
    fixed = run_cli("--study", str(foundation_study), "check", "--no-pii", "--fix")
    assert fixed.exit_code == 0, fixed
    rejected = (foundation_study / "codings" / "tester.jsonl.rejected").read_text(encoding="utf-8")
    assert '"code": "perm' in rejected
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["code"] == "subsidies"


def test_segments_and_citation_ids(foundation_study: Path) -> None:
    study = Study.open(foundation_study)
    t1 = study.transcript("t1")
    assert [s.id for s in t1.segments] == ["t1¶1", "t1¶2", "t1¶3", "t1¶4"]
    assert [s.role for s in t1.segments] == ["interviewer", "respondent", "interviewer", "respondent"]
    seg = study.segment("t1#2")
    assert seg.text.startswith("Elk jaar weer die aanvraag")
    assert t1.body[seg.start : seg.end] == seg.text
    assert seg.line == 12
    assert parse_segment_ref("org07¶12") == ("org07", 12)
    assert len(study.coded_segments()) == 4


def test_bom_and_crlf_are_normalised(foundation_study: Path) -> None:
    path = foundation_study / "interviews" / "t1.md"
    raw = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + raw.replace("\n", "\r\n").encode("utf-8"))
    study = Study.open(foundation_study)
    seg = study.segment("t1¶2")
    assert "\r" not in seg.text and seg.text.startswith("Elk jaar")


def test_unknown_speaker_label_is_reported(foundation_study: Path) -> None:
    path = foundation_study / "interviews" / "t2.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nX: wie ben ik?\n", encoding="utf-8")
    result = run_cli("--study", str(foundation_study), "check", "--no-pii")
    assert result.exit_code == 1
    assert "interviews/t2.md:15: speaker label 'X' is not in `speakers`" in result.stdout


def test_id_must_match_file_name(foundation_study: Path) -> None:
    path = foundation_study / "interviews" / "t2.md"
    path.write_text(path.read_text(encoding="utf-8").replace("id: t2", "id: andere"), encoding="utf-8")
    result = run_cli("--study", str(foundation_study), "check", "--no-pii")
    assert result.exit_code == 1
    assert "differs from the file name" in result.stdout


def test_init_creates_a_study_that_passes_check(tmp_path: Path) -> None:
    target = tmp_path / "nieuw"
    result = run_cli("init", str(target))
    assert result.exit_code == 0, result
    assert (target / "codebooks" / "grondmotieven.yaml").is_file()
    assert ".grondmotief/" in (target / ".gitignore").read_text(encoding="utf-8")
    check = run_cli("--study", str(target), "check")
    assert check.exit_code == 0, check.stdout + check.stderr
    again = run_cli("init", str(target))
    assert again.exit_code == 1 and "not empty" in again.stderr


def test_packaged_codebook_is_the_demo_codebook() -> None:
    packaged = REPO / "src" / "grondmotief" / "data" / "codebooks" / "grondmotieven.yaml"
    assert packaged.read_bytes() == (REPO / "codebooks" / "grondmotieven.yaml").read_bytes()


def test_codebook_schema_is_json_schema() -> None:
    result = run_cli("codebook", "schema")
    schema = json.loads(result.stdout)
    assert schema["title"].startswith("grondmotief codebook")
    assert "keywords" in json.dumps(schema)
    import jsonschema
    import yaml

    data = yaml.safe_load((REPO / "codebooks" / "grondmotieven.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)


def test_codebook_show_prints_the_tree(foundation_study: Path) -> None:
    result = run_cli("--study", str(foundation_study), "codebook", "show")
    assert result.exit_code == 0
    for cid in ["subsidies", "permits", "love", "scarcity-abundance", "scarcity", "abundance"]:
        assert cid in result.stdout
