"""Templates are not a way in: no Python internals, no files, no memory blow-up, no writes outside chapters/.

Study templates may come from a pull request that CI renders. Each hostile template must fail with
`Error: templates/<name>:<line>: …` (exit 1, no traceback, nothing written, nothing it tried to
read echoed back, not even the quick-start cache saved), and no output path may leave the chapters
folder (a report that renders also saves the study's cache in .grondmotief/). tests/test_report.py covers
`''.__class__.__mro__`, `lipsum.__globals__`, `cycler.__init__.__globals__`, `{% import 'os' %}`,
`'a' * 10000000`, undefined names, syntax errors and a symlinked partial; these are the rest.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import run_cli
from grondmotief.core.errors import ReportError
from grondmotief.report.render import Rendered, write_report
from grondmotief.study.folder import Study

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
        # issue 13 item 7: allocation through str methods, filters, shared parts and big integers
        ("# T\n{{ 'x'.ljust(10**9) }}\n", 2, "a width above 100,000"),
        ("{{ 'x'.zfill(10**9) }}\n", 1, "a width above 100,000"),
        ("{{ 'x'.center(10**9) }}\n", 1, "a width above 100,000"),
        ("{{ ('x' * 100000).replace('', 'y' * 1000) }}\n", 1, "a string of more than 20,000,000 characters"),
        ("{{ ('x' * 100000)|replace('', 'y' * 1000) }}\n", 1, "a string of more than 20,000,000 characters"),
        ("{{ ('a ' * 50000)|wordwrap(1, true, 'x' * 100000) }}\n", 1, "a string of more than 20,000,000"),
        ("{{ [1]|slice(10**8)|list }}\n", 1, "width too large"),
        ("{{ [1]|batch(10**9, 0)|list }}\n", 1, "width too large"),
        ("{{ [[0] * 100000] * 100000 }}\n", 1, "items and characters"),
        ("{{ [[1] * 1000] * 1000|sum(start=[]) }}\n", 1, "|sum adds numbers"),
        ("{{ ([[1] * 1000] * 1000)|sum(start=[]) }}\n", 1, "|sum adds numbers"),
        ("{{ (10 ** 64) ** 64 }}\n", 1, "an integer of more than 10,000 bits"),
        (
            "{% set ns = namespace(n=2 ** 60) %}{% for i in range(20) %}{% set ns.n = ns.n * ns.n %}{% endfor %}\n",
            1,
            "an integer of more than 10,000 bits",
        ),
        (
            "{% set ns = namespace(s='x' * 100000) %}\n{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}\n",
            2,
            "a string of more than 20,000,000",
        ),
        (
            "{% set ns = namespace(s='x' * 100000) %}\n{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}\n",
            2,
            "a string of more than 20,000,000",
        ),
        (
            "{% set ns = namespace(l=[1]) %}\n{% for i in range(60) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}\n",
            2,
            "items and characters",
        ),
        (
            "{% macro d(s, n) %}{% if n %}{{ d(s ~ s, n - 1) }}{% else %}{{ s|length }}{% endif %}{% endmacro %}\n{{ d('x' * 1000, 40) }}\n",
            1,
            "a string of more than 20,000,000",
        ),
        (
            "{% set a = [[1] * 1000] %}{% set b = [a, a, a, a, a, a, a, a, a, a] %}{% set c = [b, b, b, b, b, b, b, b, b, b] %}{% set d = [c, c, c, c, c, c, c, c, c, c] %}{% set e = [d, d, d, d, d, d, d, d, d, d] %}{% set f = [e, e, e, e, e, e, e, e, e, e] %}\n{{ (f ~ '')|length }}\n",
            2,
            "items and characters",
        ),
        (
            "{% set out %}{% for i in range(100000) %}static text kept by reference static text kept by reference static text kept by reference static text kept by reference static text kept by reference static text kept by reference static text kept by reference static text kept by reference static text kept by reference static text kept by reference {% endfor %}{% endset %}\n{{ out|length }}\n",
            1,
            "a string of more than 20,000,000",
        ),
        ("{% set big = ['x' * 100000] * 300 %}\n{{ big|join('') }}\n", 2, "a string of more than 20,000,000"),
        ("{% set big = ['x' * 100000] * 300 %}\n{{ ''.join(big) }}\n", 2, "a string of more than 20,000,000"),
        ("{{ '%s' % ([['x' * 100000] * 1000] * 100,) }}\n", 1, "items and characters"),
        ("{{ '\\udc80' }}\n", 1, "half a character"),
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

    cache = study_dir / ".grondmotief"  # a report that renders saves its quick-start cache there

    def outside_chapters() -> set[Path]:
        return {
            p
            for p in tmp_path.rglob("*")
            if p not in (chapters, cache) and chapters not in p.parents and cache not in p.parents
        }

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


LOOP = "# T\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n"


def _with_time_limit(study_dir: Path, seconds: float) -> None:
    settings = study_dir / "grondmotief.yaml"
    text = settings.read_text(encoding="utf-8") if settings.exists() else "format_version: 1\n"
    settings.write_text(text + f"limits:\n  template_seconds: {seconds}\n", encoding="utf-8")


def test_cpu_time_is_bounded_when_the_cli_renders(study_dir: Path) -> None:
    """10^10 loop iterations with nothing allocated: only the CPU-time limit stops it (issue 13 item 7)."""
    _with_time_limit(study_dir, 1)
    err = _refused(study_dir, LOOP, 2, "stopped: rendering took more than 1 s of CPU time")
    assert "limits.template_seconds" in err


def test_cpu_time_is_bounded_in_a_worker_thread(study_dir: Path) -> None:
    """The watchdog raises inside whichever thread renders: no signal, which only the main thread gets."""
    import threading

    from grondmotief.report.render import make_env, render_template, template_sources

    _with_time_limit(study_dir, 0.5)
    (study_dir / "templates" / NAME).write_text(LOOP, encoding="utf-8")
    study = Study.open(study_dir)
    source = next(s for s in template_sources(study) if s.name == NAME)
    outcome: list[BaseException | str] = []

    def work() -> None:
        try:
            outcome.append(render_template(make_env(study), source, {}))
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive()
    assert isinstance(outcome[0], ReportError), outcome
    assert f"templates/{NAME}:2: stopped: rendering took more than 0.5 s of CPU time" in str(outcome[0])
    assert not [t for t in threading.enumerate() if t.name == "template-watchdog"]


def test_a_template_within_its_limits_renders_and_leaves_no_watchdog(study_dir: Path) -> None:
    import threading

    (study_dir / "templates" / NAME).write_text("# T\n{{ (['ab'] * 1000)|join(' ')|length }}\n", encoding="utf-8")
    r = run_cli("--study", str(study_dir), "report")
    assert r.exit_code == 0, r.stderr
    assert "2999" in (study_dir / "chapters" / "99-kwaad.md").read_text(encoding="utf-8")
    assert not [t for t in threading.enumerate() if t.name == "template-watchdog"]


def test_memory_is_bounded_while_rendering(study_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each pass builds a new 100,000-character string that the `{% set %}` block keeps: no single
    value is too large, so the watchdog's memory limit (lowered here from 1 GB) is what stops it."""
    import grondmotief.report.budget as budget

    monkeypatch.setattr(budget, "MEMORY_BYTES", 64 * 1024 * 1024)
    body = (
        "# T\n{% set out %}{% for i in range(5000) %}{{ ('x' * 100000)|raw }}{% endfor %}{% endset %}{{ out|length }}\n"
    )
    _refused(study_dir, body, 2, "stopped: rendering used more than 64 MB of memory")
