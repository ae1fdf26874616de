"""REFI-QDA import on every sample in tests/fixtures/refi/ (real files from other tools, and synthetic ones
imitating vendor quirks; see the README there), and on files that must be refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, refi_sample, run_cli
from grondmotief.study.folder import Study

REFI = FIXTURES / "refi"


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    root = tmp_path / "study"
    (root / "codebooks").mkdir(parents=True)
    return root


def _import(study: Path, name: str, *args: str):
    return run_cli("--study", str(study), "import", str(refi_sample(name)), *args)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _codings(study: Path) -> list[dict]:
    out = []
    for path in sorted((study / "codings").glob("*.jsonl")):
        out += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return out


def _quote(s: Study, d: dict) -> str:
    seg = s.segment(d["segment"])
    lo, hi = d["span"] or (0, len(seg.text))
    return seg.text[lo:hi]


# --------------------------------------------------------------------------- real files from other tools
def test_qualitative_coding_demo(empty: Path) -> None:
    r = _import(empty, "qualitative-coding_demo.qdpx")
    assert r.exit_code == 0, r.stderr
    assert "plainTextPath 'board_2017.txt' lacks internal://" in r.stderr
    assert "hard-wrapped text" in r.stderr
    s = Study.open(empty)
    assert sorted(s.transcripts) == ["admin-1", "board_2017"]
    assert len(s.codebook.codes) == 262
    # Two codes share a name under different parents; they stay two codes.
    assert {c.id for c in s.codebook.codes.values() if c.label == "programming"} == {"programming", "programming-2"}
    decisions = _codings(empty)
    assert {d["coder"] for d in decisions} == {"cp"} and all(d["source"] == "import:qdpx" for d in decisions)
    assert len(decisions) == 200
    board = s.transcripts["board_2017"]
    assert board.meta.speakers["I"] == "interviewer" and board.segments[0].label == "I"
    # "line:6" (startPosition 320) is the wrapped line "This district goal is engage …".
    first = next(d for d in decisions if d["segment"] == "board_2017¶2")
    assert _quote(s, first).startswith("This district goal is engage every student")
    assert s.decisions() and all(a.status == "ok" for a in s.decisions())


def test_nvivo_mac_project_has_codes_but_no_text(empty: Path) -> None:
    r = _import(empty, "nvivo_project.qdpx")
    assert r.exit_code == 0, r.stderr
    assert r.stderr.count("not imported: it has no text") == 2
    s = Study.open(empty)
    assert len(s.codebook.codes) == 262 and not (empty / "interviews").exists()


def test_atlas_ti_spec_example_bare_qde(empty: Path) -> None:
    r = _import(empty, "sky-loom_Project.qde")
    assert r.exit_code == 0, r.stderr
    assert "its text file is not inside a bare .qde" in r.stderr
    assert "not imported: 2 VideoSources" in r.stderr and "not imported: 1 graphs" in r.stderr
    assert "selections on sources that were not imported: 8" in r.stderr
    s = Study.open(empty)
    assert len(s.codebook.codes) == 14
    assert s.codebook.codes["feelings"].spec.definition == "thoughts about breakfast foods"
    assert s.codebook.codes["feelings"].spec.color == "#f00082"
    assert "breakfast-food" in s.codebook.groups  # a Set of codes became a group


def test_taguette_codebook(empty: Path) -> None:
    r = _import(empty, "taguette_codebook.qdc")
    assert r.exit_code == 0, r.stderr
    cb = Study.open(empty).codebook
    assert cb.order == ["interesting", "places", "people"]
    assert cb.codes["places"].parent == "interesting" and cb.codes["places"].label == "places"


def test_openqda_codebook_with_ids_that_are_not_guids(empty: Path) -> None:
    r = _import(empty, "openqda-refi-tools_example_codebook.qdc")
    assert r.exit_code == 0, r.stderr
    cb = Study.open(empty).codebook
    assert len(cb.codes) == 44
    assert cb.codes["rage"].parent == "negativ-aufgeregt"
    assert cb.codes["negativ-aufgeregt"].spec.definition == "All emotions with negative valence and positive arousal."


# --------------------------------------------------------------------------- synthetic vendor quirks
def test_nvivo_windows_style_utf16_offsets_bom_crlf(empty: Path) -> None:
    r = _import(empty, "nvivo_win_like.qdpx")
    assert r.exit_code == 0, r.stderr
    assert "offsets read as UTF-16 units (NVivo)" in r.stderr
    for note in (
        "zero-length selections (coded as the whole paragraph): 1",
        "selections split over several paragraphs: 1",
        "selections with a comment but no code (not imported): 1",
        "codings of unknown codes (not imported): 1",
        "whole-source codings (not imported): 1",
        "case-level codings not imported",
        "1 PictureSources",
    ):
        assert note in r.stderr
    s = Study.open(empty)
    t = s.transcripts["interview-buurthuis"]
    assert t.attributes == {"sector": "welzijn", "municipalities": 3}
    assert [seg.label for seg in t.segments] == ["I", "R", "I", "R", "R"]  # names are not kept
    assert "Interviewer" not in (empty / "interviews" / "interview-buurthuis.md").read_text(encoding="utf-8")
    got = {(d["coder"], d["segment"], d["code"]): d for d in _codings(empty)}
    anna = got[("anna-de-vries", "interview-buurthuis¶2", "subsidies")]
    assert _quote(s, anna) == "aanvraag"  # after an emoji (2 UTF-16 units) and a CRLF
    assert anna["memo"] == "Aanvraag als terugkerende last."  # a Note linked to the selection
    assert anna["at"] == "2024-04-01T10:00:00Z"
    assert _quote(s, got[("anna-de-vries", "interview-buurthuis¶5", "liefde")]) == "plezier"
    # A selection over two paragraphs becomes one decision per paragraph, clipped to each.
    assert _quote(s, got[("bert", "interview-buurthuis¶2", "subsidies")]) == "door mogen."
    assert _quote(s, got[("bert", "interview-buurthuis¶3", "subsidies")]) == "En de vergunningen"
    # "vergunning nodig" and a zero-length selection in the same paragraph: merged, the whole paragraph.
    permits = got[("bert", "interview-buurthuis¶4", "vergunningen")]
    assert permits["span"] is None and permits["at"] == "2024-04-02T07:30:00Z"
    assert Study.open(empty).codebook.codes["liefde"].parent == "motieven"


def test_atlas_ti_26_style_any_qde_name_lf_offsets(empty: Path) -> None:
    r = _import(empty, "atlas26_like.qdpx")
    assert r.exit_code == 0, r.stderr
    assert "namespace 'urn:QDA-XML:project:1:0'" in r.stderr
    assert "code points over LF line ends (ATLAS.ti)" in r.stderr
    s = Study.open(empty)
    got = _codings(empty)
    assert [_quote(s, d) for d in got] == ["doorverbonden", "wijkmakelaar"]
    assert got[0]["memo"] == "Doorverbonden zonder resultaat." and got[0]["coder"] == "Carla"
    assert s.transcripts["gesprek-wijk"].meta.title == "gesprek wijk.docx"


def test_maxqda_style_codebook_namespace_0_4_and_colours(empty: Path) -> None:
    r = _import(empty, "maxqda_like_codebook.qdc")
    assert r.exit_code == 0, r.stderr
    assert "1 colour(s) were not readable" in r.stderr and "folder code(s) (isCodable=false)" in r.stderr
    cb = Study.open(empty).codebook
    assert [cb.codes[c].spec.color for c in ("themas", "subsidies", "vergunningen", "subsidies-2")] == [
        "#ff00aa",
        "#4e79a7",
        "#59a14f",
        None,
    ]
    assert cb.codes["schaarste-overvloed"].group == "grondmotieven"
    assert cb.groups["grondmotieven"].label == "Grondmotieven"


def test_project_without_namespace_inline_text_and_out_of_range_offsets(empty: Path) -> None:
    r = _import(empty, "no_namespace.qdpx")
    assert r.exit_code == 0, r.stderr
    assert "selection positions outside the text (clamped): 1" in r.stderr
    s = Study.open(empty)
    t = s.transcripts["los"]
    assert t.meta.speakers == {"R": "respondent"}  # a single voice is a respondent
    got = {d["segment"]: d for d in _codings(empty)}
    assert got["los¶2"]["span"] is None  # "verantwoording" merged with a clamped selection over the rest
    assert _quote(s, got["los¶1"]) == "t plezier staat voorop."  # from code point 5 to the end of the paragraph


# --------------------------------------------------------------------------- refused files
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("traversal.qdpx", "path traversal"),
        ("two_qde.qdpx", "several .qde files"),
        ("not_refi.qdc", "not a REFI-QDA file (root element 'html'"),
        ("bomb.qdc", "DOCTYPE or entities"),
        ("xxe.qdc", "DOCTYPE or entities"),
        ("broken.qdc", "broken.qdc:5: not well-formed XML"),
        ("not_a_zip.qdpx", "a .qdpx is a zip archive"),
    ],
)
def test_refused_files_change_nothing(empty: Path, name: str, message: str) -> None:
    before = _files(empty.parent)
    r = _import(empty, name)
    assert r.exit_code == 1
    assert message in r.stderr and "Traceback" not in r.stderr
    assert _files(empty.parent) == before


# --------------------------------------------------------------------------- into an existing study
def test_merge_into_the_active_codebook(tmp_path: Path) -> None:
    study = tmp_path / "study"
    shutil.copytree(FIXTURES / "agree" / "study", study)
    old = (study / "codebooks" / "mini.yaml").read_text(encoding="utf-8")
    r = _import(study, "maxqda_like_codebook.qdc")
    assert r.exit_code == 0, r.stderr
    assert "2 new code(s) merged into the active codebook codebooks/mini.yaml (3 matched existing codes" in r.stderr
    cb = Study.open(study).codebook
    assert cb.codes["subsidies"].spec.definition == "Gemeentelijke subsidie en haar voorwaarden."  # untouched
    # Matched by label (both "Subsidies" codes, and "Vergunningen"): they stay where they are.
    assert "themas" in cb.codes and "schaarste-overvloed" in cb.codes and "vergunningen" not in cb.codes
    assert cb.codes["permits"].parent is None and cb.codes["themas"].children == []
    backups = list((study / ".grondmotief" / "backups").glob("mini-*.yaml"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == old
    # Importing it again finds everything already there.
    r = _import(study, "maxqda_like_codebook.qdc")
    assert "codebook unchanged" in r.stderr


def test_reimport_is_idempotent_and_conflicts_need_force(empty: Path, tmp_path: Path) -> None:
    assert _import(empty, "atlas26_like.qdpx").exit_code == 0
    first = _files(empty)
    r = _import(empty, "atlas26_like.qdpx")
    assert r.exit_code == 0 and "already in the study with the same text" in r.stderr
    assert "2 decision(s) already recorded" in r.stderr
    assert {k: v for k, v in _files(empty).items() if not k.startswith(".grondmotief")} == {
        k: v for k, v in first.items() if not k.startswith(".grondmotief")
    }
    path = empty / "interviews" / "gesprek-wijk.md"
    path.write_text(path.read_text(encoding="utf-8").replace("dat scheelt", "dat helpt"), encoding="utf-8")
    r = _import(empty, "atlas26_like.qdpx")
    assert (
        r.exit_code == 1 and "different transcripts with these ids: gesprek-wijk" in r.stderr and "--force" in r.stderr
    )
    r = _import(empty, "atlas26_like.qdpx", "--force")
    assert r.exit_code == 0 and "dat scheelt" in path.read_text(encoding="utf-8")


def test_import_writes_only_inside_the_study(tmp_path: Path) -> None:
    study = tmp_path / "inner" / "study"
    (study / "codebooks").mkdir(parents=True)
    outside_before = {p for p in tmp_path.rglob("*") if study not in p.parents and p != study}
    for name in ("nvivo_win_like.qdpx", "qualitative-coding_demo.qdpx", "traversal.qdpx"):
        _import(study, name)
    outside_after = {p for p in tmp_path.rglob("*") if study not in p.parents and p != study}
    assert outside_after == outside_before


# --------------------------------------------------------------------------- damaged real files
def _mutants(name: str, count: int, seed: int) -> list[tuple[str, bytes]]:
    """Variants of a project with attributes garbled and elements dropped or doubled (deterministic)."""
    import io
    import random
    import xml.etree.ElementTree as ET
    import zipfile

    rnd = random.Random(seed)
    with zipfile.ZipFile(refi_sample(name)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    qde = next(n for n in members if n.lower().endswith(".qde"))
    out = []
    for k in range(count):
        root = ET.fromstring(members[qde])
        elements = list(root.iter())
        for _ in range(rnd.randint(1, 6)):
            el = rnd.choice(elements)
            what = rnd.random()
            if what < 0.5 and el.attrib:
                attr = rnd.choice(sorted(el.attrib))
                el.set(attr, rnd.choice(["", "-5", "abc", "99999999999", "{}", "0", "1e3", "\u00e9\u00e9"]))
            elif what < 0.75:
                parent = next((p for p in elements if el in list(p)), None)
                if parent is not None:
                    parent.remove(el)
            else:
                parent = next((p for p in elements if el in list(p)), None)
                if parent is not None:
                    parent.append(el)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for n, data in members.items():
                zf.writestr(n, ET.tostring(root) if n == qde else data)
        out.append((f"{name}-{k}", buf.getvalue()))
    return out


@pytest.mark.parametrize("name", ["nvivo_win_like.qdpx", "atlas26_like.qdpx", "qualitative-coding_demo.qdpx"])
def test_damaged_projects_import_or_fail_cleanly(tmp_path: Path, name: str) -> None:
    from grondmotief.core.errors import GrondmotiefError
    from grondmotief.interop.refi_import import import_refi

    imported = 0
    for label, data in _mutants(name, 8, seed=len(name)):
        study = tmp_path / label
        (study / "codebooks").mkdir(parents=True)
        path = tmp_path / f"{label}.qdpx"
        path.write_bytes(data)
        try:
            import_refi(Study.open(study), path)
            imported += 1
        except GrondmotiefError:
            pass  # refused with a message: fine; anything else fails the test
        s = Study.open(study)
        if (study / "interviews").exists():
            assert s.transcripts is not None and all(a.status == "ok" for a in s.decisions())
    assert imported >= 1
