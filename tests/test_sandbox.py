"""Templates are not a way in: no Python internals, no files, no memory blow-up, no writes outside chapters/.

Study templates may come from a pull request that CI renders. Each hostile template must fail with
`Error: templates/<name>:<line>: …` (exit 1, no traceback, nothing written, nothing it tried to
read echoed back), and no output path may leave the chapters folder. tests/test_report.py covers
`''.__class__.__mro__`, `lipsum.__globals__`, `cycler.__init__.__globals__`, `{% import 'os' %}`,
`'a' * 10000000`, undefined names, syntax errors and a symlinked partial; these are the rest.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import run_cli
from grondmotief.errors import ReportError
from grondmotief.report import Rendered, write_report
from grondmotief.study import Study

FIXTURE = Path(__file__).parent / "fixtures" / "analysis"
NAME = "99-kwaad.md.j2"


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("golden", "chapters"))
    (dest / "templates").mkdir(exist_ok=True)
    return dest


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _refused(study_dir: Path, body: str, line: int, message: str) -> str:
    (study_dir / "templates" / NAME).write_text(body, encoding="utf-8")
    before = _files(study_dir.parent)
    r = run_cli("--study", str(study_dir), "report")
    assert r.exit_code == 1, r.stdout + r.stderr
    assert f"Error: templates/{NAME}:{line}: " in r.stderr and message in r.stderr, r.stderr
    assert "Traceback" not in r.stderr + r.stdout and "internal error" not in r.stderr
    assert _files(study_dir.parent) == before  # no chapter, nothing anywhere
    return r.stderr


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        # Python internals
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}\n", 1, "not allowed in a template"),
        ("# T\n{{ self.__dict__ }}\n", 2, "not allowed in a template"),
        ("{{ self._TemplateReference__context }}\n", 1, "not allowed in a template"),
        ("{{ namespace.__init__.__globals__ }}\n", 1, "not allowed in a template"),
        ("{{ joiner.__init__.__globals__['os'] }}\n", 1, "not allowed in a template"),
        ("{{ study.__class__.__base__ }}\n", 1, "not allowed in a template"),
        ("{{ codes.items.__self__ }}\n", 1, "not allowed in a template"),
        ("{{ codes|attr('__class__') }}\n", 1, "not allowed in a template"),
        ("{{ '{0.__class__}'.format(codes) }}\n", 1, "not allowed in a template"),
        ("{{ range.__self__ }}\n", 1, "undefined"),
        ("{{ lipsum() }}\n", 1, "lipsum() writes random text"),  # random: chapters would differ per run
        # no mutation of the data the chapters are built from
        ("{{ codes.update({}) }}\n", 1, "not allowed in a template"),
        ("{{ (cases|list).append(1) }}\n", 1, "not allowed in a template"),
        ("{% set x = codes.pop('subsidies') %}\n", 1, "not allowed in a template"),
        # no Python modules: import and from look for templates only
        ("{% import 'subprocess' as s %}{{ s.run }}\n", 1, "template 'subprocess' not found"),
        ("# T\n{% from 'os' import system %}\n", 2, "template 'os' not found"),
        # memory and time
        ("# T\n{{ range(10**9)|list|length }}\n", 2, "too large"),
        ("{% for i in range(10**9) %}x{% endfor %}\n", 1, "too large"),
        ("{{ 2 ** 100000 }}\n", 1, "exponent too large"),
        ("{{ [0] * 10**9 }}\n", 1, "repetition too large"),
        ("{{ 'x'|center(10**9) }}\n", 1, "width too large"),
        ("{{ 'x'|indent(10**9, true) }}\n", 1, "width too large"),
        ("{{ '%999999999d'|format(1) }}\n", 1, "format width too large"),
        ("{{ '%999999999d' % 1 }}\n", 1, "format width too large"),
        ("{{ '%*d' % (10**9, 1) }}\n", 1, "computed format width"),
        ("{{ '{:>999999999}'.format(1) }}\n", 1, "format width too large"),
        ("{{ '{:{w}}'.format(1, w=10**9) }}\n", 1, "computed format width"),
        ("{% macro f() %}{{ f() }}{% endmacro %}\n{{ f() }}\n", 1, "recursion too deep"),
        ("{% include '" + NAME + "' %}\n", 1, "recursion too deep"),
    ],
)
def test_hostile_template_fails_naming_the_template(study_dir: Path, body: str, line: int, message: str) -> None:
    _refused(study_dir, body, line, message)


def test_runaway_output_stops_before_anything_is_written(study_dir: Path) -> None:
    body = "{% set x = 'ab' * 50000 %}\n{% for i in range(100000) %}{{ x }}{% endfor %}\n"
    (study_dir / "templates" / NAME).write_text(body, encoding="utf-8")
    r = run_cli("--study", str(study_dir), "report")
    assert r.exit_code == 1 and f"Error: templates/{NAME}: renders to more than" in r.stderr, r.stderr
    assert not (study_dir / "chapters").exists()


@pytest.mark.parametrize(
    "target",
    [
        "/etc/passwd",
        "../../grondmotief.yaml",
        "../grondmotief.yaml",
        "templates/../../grondmotief.yaml",
        "../codings/anna.jsonl",
        "..\\\\grondmotief.yaml",  # a Windows separator (written escaped in the template)
        "../../../../../../../../etc/hostname",
    ],
)
@pytest.mark.parametrize("tag", ["include", "import", "extends", "from"])
def test_templates_cannot_read_files_outside_the_templates(study_dir: Path, target: str, tag: str) -> None:
    body = {
        "include": f"# T\n{{% include '{target}' %}}\n",
        "import": f"# T\n{{% import '{target}' as x %}}\n",
        "extends": f"# T\n{{% extends '{target}' %}}\n",
        "from": f"# T\n{{% from '{target}' import y %}}\n",
    }[tag]
    err = _refused(study_dir, body, 2, "not found")
    assert "format_version" not in err and "root:" not in err  # nothing of the file is shown


def test_a_chapter_template_that_is_a_symlink_out_of_templates_is_not_read(study_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "geheim.md.j2"
    secret.write_text("# Geheim\ngeheime inhoud\n", encoding="utf-8")
    (study_dir / "templates" / "05-lek.md.j2").symlink_to(secret)
    r = run_cli("--study", str(study_dir), "report")
    assert r.exit_code == 1 and "05-lek.md.j2" in r.stderr and "not found" in r.stderr
    assert "geheime" not in r.stdout + r.stderr and not (study_dir / "chapters").exists()


# Output paths ----------------------------------------------------------------------------------------
def _set_chapters_dir(study_dir: Path, value: str) -> None:
    settings = study_dir / "grondmotief.yaml"
    text = settings.read_text(encoding="utf-8").replace("report:\n", f"report:\n  chapters_dir: '{value}'\n")
    settings.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "value",
    [
        "../buiten",
        "../../buiten",
        "/tmp/grondmotief-buiten",
        ".",
        "",
        "interviews",
        "interviews/sub",
        "codings",
        "codebooks",
        "templates",
        ".git",
        ".grondmotief",
        "chapters/../..",
    ],
)
@pytest.mark.parametrize("check", [False, True])
def test_chapters_dir_must_be_a_folder_of_its_own_inside_the_study(
    study_dir: Path, tmp_path: Path, value: str, check: bool
) -> None:
    _set_chapters_dir(study_dir, value)
    # A template named like a transcript: with chapters_dir `interviews` it would replace org01.md.
    (study_dir / "templates" / "org01.md.j2").write_text("---\nid: org01\n---\nR: weg\n", encoding="utf-8")
    before = _files(tmp_path)
    r = run_cli("--study", str(study_dir), "report", *(["--check"] if check else []))
    assert r.exit_code == 1, r.stderr
    assert "report.chapters_dir" in r.stderr and "Traceback" not in r.stderr
    assert _files(tmp_path) == before
    assert not Path("/tmp/grondmotief-buiten").exists()


@pytest.mark.parametrize("link", ["chapters", "chapters/figures", "chapters/01-ervaringen.md"])
def test_symlinks_in_chapters_are_not_followed_out_of_the_study(study_dir: Path, tmp_path: Path, link: str) -> None:
    outside = tmp_path / "buiten"
    outside.mkdir()
    (outside / "01-ervaringen.md").write_text("van iemand anders\n", encoding="utf-8")
    (study_dir / "chapters").mkdir()
    path = study_dir / link
    path.unlink(missing_ok=True) if path.is_file() else shutil.rmtree(path, ignore_errors=True)
    path.symlink_to(outside / "01-ervaringen.md" if link.endswith(".md") else outside)
    r = run_cli("--study", str(study_dir), "report")
    assert r.exit_code == 1 and "Traceback" not in r.stderr, r.stderr
    assert "inside the study" in r.stderr or "refusing to write" in r.stderr
    assert _files(outside) == {"01-ervaringen.md": b"van iemand anders\n"}


@pytest.mark.parametrize("rel", ["../x.md", "../../x.md", "figures/../../x.md", "/tmp/grondmotief-abs.md"])
def test_no_output_name_can_leave_chapters(study_dir: Path, rel: str) -> None:
    """Whatever name a chapter or figure ends up with, the writer refuses a path out of chapters/."""
    (study_dir / "chapters").mkdir()
    before = _files(study_dir.parent)
    with pytest.raises(ReportError, match="refusing to write"):
        write_report(Study.open(study_dir), Rendered({rel: "# x\n"}))
    assert _files(study_dir.parent) == before and not Path("/tmp/grondmotief-abs.md").exists()


def test_a_figure_named_after_hostile_attribute_data_stays_inside_chapters(study_dir: Path, tmp_path: Path) -> None:
    """Figure file names come from group and attribute names, which transcripts control."""
    chapters = study_dir / "chapters"

    def outside_chapters() -> set[Path]:
        return {p for p in tmp_path.rglob("*") if p != chapters and chapters not in p.parents}

    for up in (3, 4, 6):
        path = study_dir / "interviews" / "org01.md"
        key = "../" * up + "buiten"
        text = path.read_text(encoding="utf-8")
        text = text.replace("attributes:\n", f"attributes:\n  '{key}': x\n", 1)
        path.write_text(text, encoding="utf-8")
        (study_dir / "templates" / NAME).write_text(f"# F\n{{{{ figure('theme', '{key}') }}}}\n", encoding="utf-8")
        outside = outside_chapters()
        r = run_cli("--study", str(study_dir), "report")
        assert r.exit_code in (0, 1) and "Traceback" not in r.stderr
        assert outside_chapters() == outside
        path.write_text(text.replace(f"  '{key}': x\n", ""), encoding="utf-8")


def test_eject_never_writes_outside_templates(study_dir: Path, tmp_path: Path) -> None:
    before = _files(tmp_path)
    for name in ("../x.md.j2", "../../x.md.j2", "/tmp/x.md.j2", "..", "01-ervaringen.md.j2/../../x"):
        r = run_cli("--study", str(study_dir), "report", "--eject", name)
        assert r.exit_code in (1, 2) and "Traceback" not in r.stderr, (name, r.stderr)
    assert _files(tmp_path) == before
