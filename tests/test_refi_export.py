"""REFI-QDA export: schema-valid, deterministic, offsets that land on the coded text."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
import xmlschema

from conftest import FIXTURES, REPO, refi_sample, run_cli
from grondmotief.interop.refi_common import schema_path, validate_xml
from grondmotief.study.folder import Study

NS = {"q": "urn:QDA-XML:project:1.0"}
CB_NS = {"c": "urn:QDA-XML:codebook:1.0"}
# The reference copies (shared/refi, beside the repository in CI) and the ones we ship must agree.
SHARED = next(
    (p for p in (Path("/work/shared/refi"), REPO.parent / "shared" / "refi") if (p / "Project.xsd").exists()), None
)


@pytest.fixture
def study(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(FIXTURES / "agree" / "study", dest)
    return dest


def _export(study: Path, out: Path, *args: str) -> Path:
    r = run_cli("--study", str(study), "export", "--format", "qdpx", "--output", str(out), *args)
    assert r.exit_code == 0, r.stderr
    return out


def _schema(name: str) -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str((SHARED or schema_path("project").parent) / name))


def test_shipped_schemas_are_the_reference_ones() -> None:
    if SHARED is None:
        pytest.skip("shared/refi not found beside the repository")
    for name in ("Project.xsd", "Codebook.xsd"):
        assert (schema_path("project").parent / name).read_bytes() == (SHARED / name).read_bytes()


def test_project_validates_and_has_the_expected_layout(study: Path, tmp_path: Path) -> None:
    out = _export(study, tmp_path / "s.qdpx", "--validate")
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        qde = zf.read("project.qde")
        texts = {n: zf.read(n) for n in names if n.startswith("sources/")}
        infos = zf.infolist()
    assert names == sorted(names) and names[0] == "project.qde"
    assert all(n.startswith("sources/") and n.endswith(".txt") for n in names[1:]) and len(names) == 3
    assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in infos)
    _schema("Project.xsd").validate(qde.decode("utf-8"))
    for data in texts.values():
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data and data.endswith(b"\n")
    root = ET.fromstring(qde)
    assert root.get("origin", "").startswith("grondmotief")
    users = {u.get("name"): u.get("guid") for u in root.iterfind("q:Users/q:User", NS)}
    assert set(users) == {"anna", "bert", "carl"}
    # Hierarchy, colours and descriptions of the codebook.
    parent = root.find("q:CodeBook/q:Codes/q:Code[@name='Schaarste en overvloed']", NS)
    assert [c.get("name") for c in parent.findall("q:Code", NS)] == ["Schaarste", "Overvloed"]
    desc = root.find("q:CodeBook/q:Codes/q:Code[@name='Subsidies']/q:Description", NS).text
    assert desc.startswith("Gemeentelijke subsidie en haar voorwaarden.") and "Id: subsidies" in desc
    # Cases with typed variables, one per transcript, pointing at its source.
    var_types = {v.get("name"): v.get("typeOfVariable") for v in root.iterfind("q:Variables/q:Variable", NS)}
    assert var_types == {
        "municipalities": "Integer",
        "organisation_type": "Text",
        "sector": "Text",
        "interviewed": "Date",
    }
    case = root.find("q:Cases/q:Case[@name='h1']", NS)
    assert case.find("q:Description", NS).text == "Buurthuis"
    assert [
        v.find("q:IntegerValue", NS).text
        for v in case.iterfind("q:VariableValue", NS)
        if v.find("q:IntegerValue", NS) is not None
    ] == ["1"]
    # Memos are Notes, referenced from the coding they belong to.
    notes = {n.get("guid"): n.find("q:PlainTextContent", NS).text for n in root.iterfind("q:Notes/q:Note", NS)}
    assert "leuk = liefde" in notes.values()
    refs = [r.get("targetGUID") for r in root.iterfind(".//q:Coding/q:NoteRef", NS)]
    assert sorted(refs) == sorted(notes)


def test_every_selection_lands_on_the_coded_text(study: Path, tmp_path: Path) -> None:
    out = _export(study, tmp_path / "s.qdpx")
    s = Study.open(study)
    with zipfile.ZipFile(out) as zf:
        root = ET.fromstring(zf.read("project.qde"))
        sources = {}
        for src in root.iterfind("q:Sources/q:TextSource", NS):
            member = "sources/" + src.get("plainTextPath").removeprefix("internal://")
            sources[src.get("name")] = (src, zf.read(member).decode("utf-8"))
    users = {u.get("guid"): u.get("name") for u in root.iterfind("q:Users/q:User", NS)}
    codes = {
        c.get("guid"): c.find("q:Description", NS).text.rsplit("Id: ", 1)[1] for c in root.iter(f"{{{NS['q']}}}Code")
    }
    seen = set()
    for src, text in sources.values():
        assert text.startswith("I: ")  # speaker labels stay: the file reads as a transcript
        for sel in src.iterfind("q:PlainTextSelection", NS):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            seg = s.segment(sel.get("name"))
            for coding in sel.iterfind("q:Coding", NS):
                coder, code = users[coding.get("creatingUser")], codes[coding.find("q:CodeRef", NS).get("targetGUID")]
                d = next(d for d in s.accepted([coder]) if d.segment == seg.id and d.code == code)
                lo, hi = d.span or (0, len(seg.text))
                assert text[start:end] == seg.text[lo:hi]
                seen.add((coder, seg.id, code))
    assert seen == {(d.coder, d.segment, d.code) for d in s.accepted()}
    assert ("anna", "h2¶4", "subsidies") in seen  # the one with a partial span


def test_the_same_study_gives_byte_identical_files(study: Path, tmp_path: Path) -> None:
    a = _export(study, tmp_path / "a.qdpx", "--name", "studie").read_bytes()
    b = _export(study, tmp_path / "b.qdpx", "--name", "studie").read_bytes()
    copy = tmp_path / "elsewhere" / "study"
    shutil.copytree(study, copy)
    c = _export(copy, tmp_path / "c.qdpx", "--name", "studie").read_bytes()
    assert a == b == c
    r1 = run_cli("--study", str(study), "export", "-f", "qdc", "-o", str(tmp_path / "a.qdc"))
    r2 = run_cli("--study", str(copy), "export", "-f", "qdc", "-o", str(tmp_path / "b.qdc"))
    assert r1.exit_code == r2.exit_code == 0
    assert (tmp_path / "a.qdc").read_bytes() == (tmp_path / "b.qdc").read_bytes()


def test_codebook_export_validates(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "cb.qdc"
    r = run_cli("--study", str(study), "export", "-f", "qdc", "-o", str(out), "--validate")
    assert r.exit_code == 0, r.stderr
    assert "valid against the REFI-QDA schema" in r.stderr
    _schema("Codebook.xsd").validate(out.read_text(encoding="utf-8"))
    root = ET.fromstring(out.read_bytes())
    sets = {s.get("name"): len(s.findall("c:MemberCode", CB_NS)) for s in root.iterfind("c:Sets/c:Set", CB_NS)}
    assert sets == {"Thema's": 2, "Grondmotieven": 4}
    assert all(m.get("guid") for m in root.iterfind(".//c:MemberCode", CB_NS))


def test_the_validator_catches_an_invalid_file() -> None:
    # Taguette's codebook has an empty <Sets/>, which the schema forbids.
    problems = validate_xml(refi_sample("taguette_codebook.qdc").read_bytes(), "codebook")
    assert problems and any("Sets" in p for p in problems)


def test_demo_study_exports_valid_files(tmp_path: Path) -> None:
    out = tmp_path / "demo.qdpx"
    r = run_cli("--study", str(REPO), "export", "-f", "qdpx", "-o", str(out), "--validate")
    assert r.exit_code == 0, r.stderr
    with zipfile.ZipFile(out) as zf:
        assert len([n for n in zf.namelist() if n.startswith("sources/")]) == len(Study.open(REPO).transcripts)


def test_export_needs_an_output_file_for_refi(study: Path) -> None:
    r = run_cli("--study", str(study), "export", "-f", "qdpx")
    assert r.exit_code == 2 and "--output" in r.stderr


def test_warns_about_characters_that_utf16_tools_count_twice(study: Path, tmp_path: Path) -> None:
    path = study / "interviews" / "h2.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nI: Bedankt! \U0001f642\n", encoding="utf-8")
    r = run_cli("--study", str(study), "export", "-o", str(tmp_path / "e.qdpx"))
    assert r.exit_code == 0
    assert "h2: has characters outside the Basic Multilingual Plane" in r.stderr
    assert "h1:" not in r.stderr
