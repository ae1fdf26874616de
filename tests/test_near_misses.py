"""Near misses (issue 16, item 11), through the real CLI on a copy of the demo study: codes named
by id or label in any case, "did you mean …" for codes, coders and transcripts, a missing study
as a usage error (exit 2), and suggest's count of what it parsed."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo study (its codebook, 14 transcripts, codings of anna and ben), shared read-only."""
    dest = tmp_path_factory.mktemp("near") / "study"
    dest.mkdir()
    for part in ("codebooks", "interviews", "codings"):
        shutil.copytree(REPO / part, dest / part)
    return dest


AT = re.compile(r'"at": "[^"]*"')


def ok(demo: Path, *args: str) -> str:
    r = run_cli("--study", str(demo), *args)
    assert r.exit_code == 0, (args, r.stderr)
    return r.stdout


# Codes by id or label, any case ---------------------------------------------------------------
# Each pair must give the same output: the exact id, and the code named another way.
SAME = [
    (("quote", "-f", "json", "--theme"), "subsidies", "Subsidies"),
    (("quote", "-f", "json", "--motive"), "love", "LIEFDE"),  # the label, upper case
    (("quote", "-f", "json", "--motive"), "scarcity-abundance", "schaarste en  overvloed"),
    (("quote", "-f", "json", "--code"), "care", "Tussen formele en informele zorg"),
    (("find", "aanvraag", "--count", "-f", "json", "--theme"), "subsidies", "SUBSIDIES"),
    (("words", "-n", "5", "-f", "json", "--motive"), "efficiency", "Doelmatigheid en effectiviteit"),
    (("agree", "-f", "csv", "--code"), "love", "Liefde"),
    (("codebook", "rename", "--dry-run", "-f", "json"), "permits", "Vergunningen"),
    (("codebook", "split", "--into", "wmo,wijkteam", "--dry-run", "-f", "json"), "care", "CARE"),
    (("codebook", "move", "--parent", "legitimacy", "--dry-run", "-f", "json"), "permits", "Permits"),
    (("code", "--accept-above", "0.3", "--dry-run", "--coder", "zoe", "-t", "org02", "--code"), "love", "Love"),
    (("find", "aanvraag", "--coder", "zoe", "--dry-run", "-f", "json", "--code-as"), "subsidies", "Subsidies"),
]


@pytest.mark.parametrize(("args", "exact", "other"), SAME, ids=[f"{a[0]}-{o}" for a, _, o in SAME])
def test_a_code_named_by_label_or_in_another_case_is_the_same_code(
    demo: Path, args: tuple[str, ...], exact: str, other: str
) -> None:
    if args[:2] == ("codebook", "rename"):  # CODE is an argument: OLD NEW
        want, got = (
            ok(demo, *args[:2], exact, "vergunning", *args[2:]),
            ok(demo, *args[:2], other, "vergunning", *args[2:]),
        )
    elif args[0] == "codebook":
        want, got = ok(demo, *args[:2], exact, *args[2:]), ok(demo, *args[:2], other, *args[2:])
    else:
        want, got = ok(demo, *args, exact), ok(demo, *args, other)
    assert AT.sub("", want) == AT.sub("", got)  # dry-run decisions carry the time they were made
    assert want.strip() not in ("", "[]")


def test_merge_and_suggest_keywords_take_labels(demo: Path) -> None:
    want = ok(demo, "codebook", "merge", "equality", "love", "--into", "love", "--dry-run", "-f", "json")
    got = ok(demo, "codebook", "merge", "Gelijkwaardigheid", "LOVE", "--into", "Liefde", "--dry-run", "-f", "json")
    assert want == got and "equality" in want
    want = ok(demo, "codebook", "suggest-keywords", "subsidies", "-n", "3", "-f", "json")
    assert ok(demo, "codebook", "suggest-keywords", "Subsidies", "-n", "3", "-f", "json") == want


def test_suggest_takes_a_label(demo: Path) -> None:
    want = ok(demo, "suggest", "-t", "org03", "--code", "subsidies", "-f", "json", "--coder", "anna")
    assert ok(demo, "suggest", "-t", "org03", "--code", "Subsidies", "-f", "json", "--coder", "anna") == want
    assert {row["code"] for row in json.loads(want)} == {"subsidies"}


def test_a_label_two_codes_share_is_refused_naming_both(demo: Path, tmp_path: Path) -> None:
    study = tmp_path / "twins"
    shutil.copytree(demo, study, ignore=shutil.ignore_patterns(".grondmotief"))
    cb = study / "codebooks" / "grondmotieven.yaml"
    cb.write_text(cb.read_text(encoding="utf-8").replace("label: Gelijkwaardigheid", "label: Liefde"), "utf-8")
    r = run_cli("--study", str(study), "quote", "--motive", "liefde")
    assert r.exit_code == 2 and "'liefde' is the label of love, equality: name one of them by its id" in r.stderr
    assert r.stdout == ""


# Did you mean … -------------------------------------------------------------------------------
TYPOS = [
    (("quote", "--theme", "subsidie"), "--theme 'subsidie': no such code; did you mean 'subsidies'?"),
    (("quote", "--motive", "Schaarste en overvloe"), "no such code; did you mean 'scarcity-abundance'?"),
    (("quote", "--code", "legit"), "--code 'legit': no such code; did you mean 'legitimacy'?"),
    (("find", "x", "--code", "efficency"), "did you mean 'efficiency'?"),
    (("words", "--theme", "acess"), "--theme 'acess': no such code; did you mean 'access'?"),
    (("agree", "--code", "lovee"), "--code 'lovee': no such code; did you mean 'love'?"),
    (("suggest", "--theme", "permit"), "--theme 'permit': no such code; did you mean 'permits'?"),
    (("code", "--accept-above", "0.9", "--dry-run", "--theme", "carre"), "did you mean 'care'?"),
    (("codebook", "suggest-keywords", "subsidie"), "unknown code 'subsidie'; did you mean 'subsidies'?"),
    (("codebook", "rename", "acces", "ingang"), "unknown code 'acces'; did you mean 'access'?"),
    (("codebook", "merge", "love", "--into", "equalty"), "--into 'equalty': no such code; did you mean 'equality'?"),
    (("codebook", "move", "permits", "--parent", "legitimcy"), "did you mean 'legitimacy'?"),
    (("codebook", "split", "cares", "--into", "a,b"), "unknown code 'cares'; did you mean 'care'?"),
    (("tally", "--coder", "anan"), "--coder 'anan': no codings/anan.jsonl; did you mean 'anna'? (coders: anna, ben)"),
    (("crosstab", "theme", "motive", "--coder", "Anna"), "did you mean 'anna'?"),
    (("quote", "--coder", "anna,bne"), "--coder 'bne': no codings/bne.jsonl; did you mean 'ben'?"),
    (("report", "--check", "--coder", "ana"), "did you mean 'anna'?"),
    (("export", "-f", "csv", "--coder", "bem"), "--coder 'bem': no codings/bem.jsonl; did you mean 'ben'?"),
    (("saturation", "--coder", "annna"), "did you mean 'anna'?"),
    (("status", "--coder", "anan"), "--coder 'anan': no codings/anan.jsonl; did you mean 'anna'?"),
    (("agree", "--coders", "anna,bne"), "--coders 'bne': no codings/bne.jsonl; did you mean 'ben'?"),
    (("quote", "-t", "org1"), "--transcript 'org1': no such transcript; did you mean 'org01', 'org10' or 'org11'?"),
    (("status", "-t", "ORG03"), "--transcript 'ORG03': no such transcript; did you mean 'org03'"),
    (("agree", "-t", "org7"), "did you mean 'org07'"),
    (("find", "x", "-t", "orgo5"), "did you mean 'org05'"),
    (("words", "-t", "og02"), "did you mean 'org02'"),
    (("suggest", "-t", "org044"), "did you mean 'org04'"),
    (("code", "--accept-above", "0.9", "--dry-run", "-t", "org123"), "did you mean 'org12'"),
    (("tally", "--group", "Theme"), "--group 'Theme': no such code group; did you mean 'theme'?"),
    (("crosstab", "theme", "Motive"), "did you mean 'motive'?"),
    (("tally", "--by", "sectr"), "--by 'sectr': no transcript has this attribute; did you mean 'sector'?"),
]


@pytest.mark.parametrize(("args", "message"), TYPOS, ids=[" ".join(a) for a, _ in TYPOS])
def test_a_typo_is_a_usage_error_that_says_what_was_meant(demo: Path, args: tuple[str, ...], message: str) -> None:
    r = run_cli("--study", str(demo), *args)
    assert r.exit_code == 2, r.stderr
    assert r.stderr.startswith("Error: ") and message in r.stderr
    assert r.stdout == "" and "Traceback" not in r.stderr


def test_no_suggestion_when_nothing_is_close(demo: Path) -> None:
    r = run_cli("--study", str(demo), "quote", "-t", "gesprek")
    assert r.exit_code == 2 and "did you mean" not in r.stderr
    assert "--transcript 'gesprek': no such transcript (transcripts: org01, org02" in r.stderr


def test_a_new_coder_close_to_a_known_one_is_warned_about(demo: Path) -> None:
    r = run_cli("--study", str(demo), "suggest", "-t", "org01", "--coder", "anan", "-f", "summary")
    assert r.exit_code == 0
    assert "'anan' is a new coder (no codings/anan.jsonl yet); did you mean 'anna'?" in r.stderr
    r = run_cli("--study", str(demo), "code", "--coder", "bem", "--accept-above", "0.9", "--dry-run", "-t", "org01")
    assert r.exit_code == 0 and "did you mean 'ben'?" in r.stderr
    r = run_cli("--study", str(demo), "code", "--coder", "carla", "--accept-above", "0.9", "--dry-run", "-t", "org01")
    assert r.exit_code == 0 and "new coder" not in r.stderr  # nobody close: a new coder, no fuss


def test_the_review_loop_shows_the_new_coder_warning(demo: Path, tmp_path: Path) -> None:
    from review_pty import Tui

    study = tmp_path / "loop"
    shutil.copytree(demo, study, ignore=shutil.ignore_patterns(".grondmotief"))
    tui = Tui(study, "-t", "org01", coder="anan")
    screen = tui.wait_for("did you mean")
    assert "'anan' is a new coder" in screen and "did you mean 'anna'?" in screen
    tui.press("g", expect="Go to passage")
    tui.type("orgg07 3")
    screen = tui.press("\r", expect="no interview 'orgg07'")
    assert "did you mean 'org07'" in screen
    assert tui.quit() == 0
    assert not (study / "codings" / "anan.jsonl").exists()


# A missing study is a usage error --------------------------------------------------------------
def test_a_missing_or_wrong_study_folder_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    for where in (tmp_path / "nowhere", tmp_path / "plain"):
        for args in (("--study", str(where), "tally"), ("tally", "--study", str(where))):
            r = run_cli(*args)
            assert r.exit_code == 2, r.stderr
            assert r.stderr.startswith(f"Error: --study {where}: ") and "Traceback" not in r.stderr
    r = run_cli("status", env={"GRONDMOTIEF_STUDY": str(tmp_path / "nowhere")})
    assert r.exit_code == 2 and "$GRONDMOTIEF_STUDY" in r.stderr and "no such folder" in r.stderr


# suggest counts what it parsed -----------------------------------------------------------------
def test_suggest_parses_each_passage_once_and_says_so(tmp_path: Path, demo: Path) -> None:
    study = tmp_path / "cold"
    shutil.copytree(demo, study, ignore=shutil.ignore_patterns(".grondmotief"))
    # anna's decisions train models: the first transcript's parse used to be made twice ("parsed 15").
    r = run_cli("--study", str(study), "suggest", "--coder", "anna", "-f", "summary")
    assert r.exit_code == 0, r.stderr
    assert "in 14 transcript(s); parsed 256 passage(s) of 14 transcript(s), 0 transcript(s) from the cache" in r.stderr
    again = run_cli("--study", str(study), "suggest", "--coder", "anna", "-f", "summary")
    assert "parsed 0 passage(s) of 0 transcript(s), 14 transcript(s) from the cache" in again.stderr
    assert again.stdout == r.stdout
