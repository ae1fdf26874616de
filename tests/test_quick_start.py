"""Quick commands start quickly (issue 14): the quick-start cache, typer values without pydantic,
and only the invoked command built. Real demo files, the real CLI in child processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

QUICK = (
    ["quote", "--theme", "subsidies", "--limit", "3"],
    ["quote", "--code", "scarcity", "--format", "json"],
    ["tally", "--format", "md"],
    ["tally", "--by", "organisation_type", "--format", "csv"],
    ["crosstab", "theme", "motive", "--clash"],
    ["find", "wachtlijst", "--format", "json"],
    ["words", "--limit", "15", "--format", "csv"],
)


@pytest.fixture(scope="module")
def warm_suggest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo study whose suggest cache (for find and words) is built once."""
    dest = tmp_path_factory.mktemp("quick") / "study"
    dest.mkdir()
    for part in ("codebooks", "interviews", "codings"):
        shutil.copytree(REPO / part, dest / part)
    if (REPO / "grondmotief.yaml").exists():
        shutil.copy(REPO / "grondmotief.yaml", dest / "grondmotief.yaml")
    assert gm(dest, "find", "wachtlijst").returncode == 0
    return dest


@pytest.fixture
def study(warm_suggest: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(warm_suggest, dest)
    shutil.rmtree(dest / ".grondmotief" / "quick", ignore_errors=True)
    return dest


def gm(study: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"NO_COLOR": "1", "COLUMNS": "100", "PATH": "/usr/bin:/bin"}
    env.update({k: v for k, v in os.environ.items() if k in ("PYTHONPATH", "HOME")})
    return subprocess.run(
        [sys.executable, "-m", "grondmotief", "--study", str(study), *args],
        capture_output=True,
        text=True,
        env=env,
    )


def state(study: Path) -> Path:
    return study / ".grondmotief" / "quick" / "state.json"


def test_warm_output_is_byte_identical_to_a_cold_run(study: Path) -> None:
    for args in QUICK:
        shutil.rmtree(study / ".grondmotief" / "quick", ignore_errors=True)
        cold = gm(study, *args)
        assert cold.returncode == 0, cold.stderr
        assert state(study).exists()
        warm = gm(study, *args)
        assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, cold.stderr), args


def test_warm_quick_commands_import_neither_pydantic_nor_yaml_nor_spacy_nor_numpy(study: Path) -> None:
    for args in QUICK:
        assert gm(study, *args).returncode == 0  # warms the quick-start cache
    code = (
        "import json, sys\n"
        "from grondmotief.cli.app import main, only\n"
        "sys.argv = ['grondmotief', *json.loads(sys.argv[1])]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "heavy = {'pydantic', 'yaml', 'spacy', 'jinja2', 'sklearn', 'numpy', 'rich'}\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & heavy)\n"
        "heavy += [m for m in sys.modules if m == 'grondmotief.privacy.detector']\n"
        "print(json.dumps({'code': code, 'heavy': heavy}), file=sys.stderr)\n"
    )
    for args in QUICK:
        out = subprocess.run(
            [sys.executable, "-c", code, json.dumps(["--study", str(study), *args])], capture_output=True, text=True
        )
        # numpy: a small study's tokens are read as Python arrays; the detector: its findings come
        # from the scan cache; rich: only a table for a terminal needs it (crosstab prints one).
        expect = ["rich"] if args[0] == "crosstab" else []
        assert json.loads(out.stderr.strip().splitlines()[-1]) == {"code": 0, "heavy": expect}, args


def _tally(study: Path, *args: str) -> dict[str, dict]:
    r = gm(study, "tally", "--format", "json", *args)
    assert r.returncode == 0, r.stderr
    return {row["code"]: row for row in json.loads(r.stdout)}


def test_an_edited_codebook_is_seen(study: Path) -> None:
    before = _tally(study)
    cb = study / "codebooks" / "grondmotieven.yaml"
    text = cb.read_text(encoding="utf-8")
    label = before["subsidies"]["label"]
    assert text.count(f"label: {label}\n") == 1
    cb.write_text(text.replace(f"label: {label}\n", "label: Geldstromen\n"), encoding="utf-8")
    assert _tally(study)["subsidies"]["label"] == "Geldstromen"


def test_edited_codings_are_seen(study: Path) -> None:
    before = _tally(study, "--coder", "anna")
    path = study / "codings" / "anna.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [ln for ln in lines if json.loads(ln)["code"] != "subsidies"]
    assert len(kept) < len(lines)
    path.write_text("".join(kept), encoding="utf-8")
    after = _tally(study, "--coder", "anna")
    assert before["subsidies"]["passages"] > 0 and after["subsidies"]["passages"] == 0


def test_an_edited_transcript_attribute_is_seen(study: Path) -> None:
    gm(study, "tally")
    t = study / "interviews" / "org01.md"
    text = t.read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("organisation_type:"))
    t.write_text(text.replace(line, "  organisation_type: nieuwsoort", 1), encoding="utf-8")
    r = gm(study, "tally", "--by", "organisation_type", "--format", "csv")
    assert r.returncode == 0 and "nieuwsoort" in r.stdout


def test_edited_settings_are_seen(study: Path) -> None:
    all_coders = _tally(study)
    (study / "grondmotief.yaml").write_text("report:\n  coder: ben\n", encoding="utf-8")
    assert _tally(study) == _tally(study, "--coder", "ben") != all_coders


def _same_error_as_without_cache(study: Path, args: list[str]) -> None:
    warm = gm(study, *args)
    shutil.rmtree(study / ".grondmotief" / "quick")
    bare = gm(study, *args)
    assert warm.returncode == 1 and "Traceback" not in warm.stderr
    assert (warm.returncode, warm.stdout, warm.stderr) == (bare.returncode, bare.stdout, bare.stderr)


@pytest.mark.parametrize(
    ("file", "old", "new", "expect"),
    [
        ("codebooks/grondmotieven.yaml", "codes:\n", "codes:\n  colour: x\n", "grondmotieven.yaml"),
        ("codebooks/grondmotieven.yaml", "groups:", "onbekend: 1\ngroups:", "unknown key 'onbekend'"),
        ("interviews/org03.md", "title:", "tittel: x\ntitle:", "org03.md:"),
        ("codings/ben.jsonl", '"decision": "accepted"', '"decision": "misschien"', "ben.jsonl"),
    ],
)
def test_a_broken_file_fails_exactly_as_without_the_cache(
    study: Path, file: str, old: str, new: str, expect: str
) -> None:
    assert gm(study, "tally").returncode == 0  # everything cached
    path = study / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    r = gm(study, "tally")
    assert r.returncode == 1 and expect in r.stderr, r.stderr
    _same_error_as_without_cache(study, ["tally"])
    path.write_text(text, encoding="utf-8")  # repaired: right again, from a cache rebuilt
    assert gm(study, "tally").returncode == 0


def test_a_corrupt_cache_file_is_ignored(study: Path) -> None:
    args = ["quote", "--theme", "subsidies", "--format", "json"]
    good = gm(study, *args)
    data = state(study).read_bytes()
    for broken in (b"", data[: len(data) // 2], data.replace(b'"key":"', b'"key":"0', 3), b"\x00" * 64):
        state(study).write_bytes(broken)
        again = gm(study, *args)
        assert (again.returncode, again.stdout, again.stderr) == (good.returncode, good.stdout, good.stderr)


def test_a_read_only_cache_folder_is_not_an_error(study: Path) -> None:
    good = gm(study, "tally")
    shutil.rmtree(study / ".grondmotief" / "quick")
    (study / ".grondmotief" / "quick").write_text("not a folder", encoding="utf-8")
    again = gm(study, "tally")
    assert (again.returncode, again.stdout) == (0, good.stdout)


def test_records_have_the_fields_and_types_of_the_models(study: Path) -> None:
    """What a warm run reads equals what pydantic validates, field by field and type by type."""
    from grondmotief.study.folder import Study

    cold = Study.open(study)
    quick = Study.open(study, quick=True)
    quick.codebook, quick.transcripts, quick.decisions()  # noqa: B018 - fill the cache
    quick.save_quick_cache()
    warm = Study.open(study, quick=True)

    def same(a: object, b: object, where: str) -> None:
        if hasattr(type(a), "model_fields"):
            assert type(b).__name__ == type(a).__name__ + "Record", where
            assert list(vars(b)) == list(type(a).model_fields), where
            for name in type(a).model_fields:
                same(getattr(a, name), getattr(b, name), f"{where}.{name}")
        elif isinstance(a, dict):
            assert isinstance(b, dict) and list(a) == list(b), where
            for k in a:
                same(a[k], b[k], f"{where}[{k!r}]")
        elif isinstance(a, list | tuple):
            assert type(a) is type(b) and len(a) == len(b), where
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                same(x, y, f"{where}[{i}]")
        else:
            assert type(a) is type(b) and a == b, where

    same(cold.settings, warm.settings, "settings")
    same(cold.codebook.data, warm.codebook.data, "codebook")
    for cid, code in cold.codebook.codes.items():
        w = warm.codebook.codes[cid]
        assert (code.label, code.group, code.parent, code.line, code.depth, code.children) == (
            w.label,
            w.group,
            w.parent,
            w.line,
            w.depth,
            w.children,
        )
        same(code.spec, w.spec, f"code {cid}")
    assert list(cold.transcripts) == list(warm.transcripts)
    for tid, t in cold.transcripts.items():
        w = warm.transcripts[tid]
        same(t.meta, w.meta, tid)
        assert (t.body, t.body_line, t.meta_lines, t.withheld_meta, t.segments) == (
            w.body,
            w.body_line,
            w.meta_lines,
            w.withheld_meta,
            w.segments,
        )
    for a, b in zip(cold.decisions(), warm.decisions(), strict=True):
        same(a.decision, b.decision, a.decision.segment)
        assert (a.status, a.new_segment, b.decision.to_line()) == (b.status, b.new_segment, a.decision.to_line())
    assert type(warm.codebook.data).__module__ == "grondmotief.study.records"  # really read from the cache


# Typer values converted without pydantic --------------------------------------------------------


def _params() -> list[tuple[object, object]]:
    import typer.main

    from grondmotief.cli.app import app

    root = typer.main.get_command(app)
    out = []

    def walk(cmd: object) -> None:
        for p in cmd.params:  # type: ignore[attr-defined]
            out.append((cmd, p))
        for sub in (getattr(cmd, "commands", None) or {}).values():
            walk(sub)

    walk(root)
    return out


def _samples(param: object, tmp: Path) -> list[object]:
    from enum import Enum

    ann = param.type_descriptor.annotation  # type: ignore[attr-defined]
    leaf = ann.__args__[0] if getattr(ann, "__origin__", None) is list else ann
    values: list[object] = ["", "abc", "  5", "-1", "0", "3", "12", "007", "0.5", "1e3", "99999", "nan"]
    if isinstance(leaf, type) and issubclass(leaf, Enum):
        values += [m.value for m in leaf] + [str(m.value).upper() for m in leaf] + list(leaf)
    if leaf in (int, float):
        values += [0, 1, 3, 25, 2.5, True]
    if leaf is bool:
        values += [True, False]
    if leaf is Path:
        values += [str(tmp), str(tmp / "nope.md"), tmp, "-"]
    if leaf is not ann:
        values = [[v] for v in values] + [("a", "b"), [str(tmp), str(tmp)]]
    return values


def test_quick_conversion_equals_typers_own_for_every_option(tmp_path: Path) -> None:
    from typer import _click as click
    from typer._coercion import build_runtime_param

    from grondmotief.cli.coerce import QuickParam

    (tmp_path / "x.md").write_text("x", encoding="utf-8")
    checked = 0
    for cmd, param in _params():
        quick = param._runtime_param  # type: ignore[attr-defined]
        if not isinstance(quick, QuickParam):
            continue
        typers = build_runtime_param(param.type_descriptor)  # type: ignore[attr-defined]
        ctx = click.Context(cmd)  # type: ignore[arg-type]
        for value in _samples(param, tmp_path):
            results = []
            for runtime in (quick, typers):
                try:
                    results.append(("ok", runtime._coerce_value(value, param=param, ctx=ctx)))
                except click.exceptions.ClickException as exc:
                    results.append(("error", str(exc)))
            assert results[0] == results[1], (cmd.name, param.name, value)  # type: ignore[attr-defined]
            assert type(results[0][1]) is type(results[1][1])
            checked += 1
    assert checked > 500


def test_only_the_invoked_command_is_built_and_it_is_the_same_command() -> None:
    import typer.main
    from typer.testing import CliRunner

    from grondmotief.cli.app import MODULES, _invoked, app, only

    assert _invoked(["--study", "x", "tally", "--by", "y"]) == "tally"
    assert _invoked(["-S", "x", "codebook", "show"]) == "codebook"
    assert _invoked(["--study=x", "quote"]) == "quote"
    assert _invoked(["--help"]) is None and _invoked([]) is None
    assert only("nosuchcommand") is app and only(None) is app
    full = typer.main.get_command(app)
    names = list(full.commands)  # type: ignore[attr-defined]
    assert {"quote", "tally", "find", "words", "codebook"} <= set(names)
    assert sorted(MODULES) == sorted(names), "cli/app.py MODULES must name the module(s) of every command"
    for name in names:
        pruned = typer.main.get_command(only(name))
        assert list(pruned.commands) == [name]  # type: ignore[attr-defined]
        helps = [CliRunner().invoke(a, [name, "--help"], terminal_width=100).output for a in (app, only(name))]
        assert helps[0] == helps[1] and "Usage:" in helps[0], name


def test_entries_of_removed_files_are_dropped_and_defaults_stay_cached(study: Path) -> None:
    assert not (study / "grondmotief.yaml").exists()  # the demo runs on the default settings
    gm(study, "tally")
    keys = set(json.loads(state(study).read_bytes().split(b"\n", 2)[2]))
    assert {"settings:grondmotief.yaml", "transcript:interviews/org01.md", "codings:codings/ben.jsonl"} <= keys
    old = study / "interviews" / "org01.md"
    (study / "interviews" / "org99.md").write_text(old.read_text(encoding="utf-8").replace("id: org01", "id: org99", 1))
    old.unlink()
    assert gm(study, "tally").returncode == 0
    keys = set(json.loads(state(study).read_bytes().split(b"\n", 2)[2]))
    assert "transcript:interviews/org01.md" not in keys and "transcript:interviews/org99.md" in keys
    assert "settings:grondmotief.yaml" in keys


def test_a_command_imports_only_its_own_cmd_module(study: Path) -> None:
    from grondmotief.cli.app import MODULES

    code = (
        "import json, sys\n"
        "from grondmotief.cli.app import main\n"
        "sys.argv = ['grondmotief', *json.loads(sys.argv[1])]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(m.rpartition('.')[2] for m in sys.modules if '.cli.cmd_' in m)), file=sys.stderr)\n"
    )
    for args in (["tally", "--format", "csv"], ["codebook", "show", "--format", "csv"], ["quote", "--help"]):
        out = subprocess.run(
            [sys.executable, "-c", code, json.dumps(["--study", str(study), *args])], capture_output=True, text=True
        )
        assert json.loads(out.stderr.strip().splitlines()[-1]) == sorted(MODULES[args[0]]), args


def test_package_versions_read_without_importlib_metadata_are_its_own() -> None:
    from importlib import metadata

    from grondmotief.core.dists import version

    for dist in ("spacy", "spacy-lookups-data", "simplemma", "wordfreq", "typer", "PyYAML", "scikit_learn"):
        assert version(dist) == metadata.version(dist), dist
    assert version("no-such-package-here") is None
