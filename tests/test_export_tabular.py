"""`export --format csv|json`: one row per coding, quotes and memos that open cleanly in spreadsheets and R."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from grondmotief.study.codings import Decision
from grondmotief.study.folder import Study


@pytest.fixture
def study(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(FIXTURES / "agree" / "study", dest)
    s = Study.open(dest)
    seg = s.segment("h1¶10")
    start = seg.text.index("dat het")
    end = start + len('dat het "gewoon leuk" moet blijven')
    s.store("dora").record(
        [
            Decision(
                segment="h1¶10",
                code="love",
                decision="accepted",
                span=(start, end),
                source="suggest:keyword",
                score=0.82,
                coder="dora",
                at="2026-03-03T09:00:00Z",
                memo='regel één;\nregel "twee", met komma',
                text_sha=seg.sha,
            ),
            Decision(
                segment="h1¶10",
                code="subsidies",
                decision="rejected",
                coder="dora",
                at="2026-03-03T09:01:00Z",
                memo="=SUM(A1:A9)",
                text_sha=seg.sha,
            ),
        ]
    )
    return dest


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_rows_columns_and_awkward_text(study: Path) -> None:
    r = run_cli("--study", str(study), "export", "-f", "csv")
    assert r.exit_code == 0, r.stderr
    rows = _csv(r.stdout)
    assert len(rows) == 21 + 2  # every decision of every coder
    header = next(csv.reader(io.StringIO(r.stdout)))
    assert header[:16] == [
        "citation",
        "transcript",
        "paragraph",
        "code",
        "label",
        "group",
        "coder",
        "decision",
        "source",
        "score",
        "span_start",
        "span_end",
        "spans",
        "at",
        "memo",
        "quote",
    ]
    assert header[16:] == ["municipalities", "organisation_type", "sector"]
    dora = next(x for x in rows if x["coder"] == "dora" and x["code"] == "love")
    assert dora["memo"] == 'regel één;\nregel "twee", met komma'
    assert dora["quote"] == 'dat het "gewoon leuk" moet blijven'
    assert (dora["score"], dora["span_start"], dora["span_end"]) == ("0.82", "24", "58")
    assert dora["sector"] == "welzijn" and dora["municipalities"] == "1"
    # Text is always quoted, so a semicolon (the Dutch Excel separator) never splits a cell.
    assert '"Voor de braderie hebben we een vergunning nodig; de verzekering regelen we zelf."' in r.stdout
    assert not r.stdout.startswith("\ufeff") and "\r\n" not in r.stdout
    # Rows come in passage order, then code order.
    order = [(x["transcript"], int(x["paragraph"])) for x in rows]
    assert order == sorted(order)


def test_csv_for_excel(study: Path, tmp_path: Path) -> None:
    out = tmp_path / "codings.csv"
    r = run_cli("--study", str(study), "export", "-f", "csv", "--excel", "-o", str(out))
    assert r.exit_code == 0 and "wrote 23 row(s)" in r.stderr
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.count("\r\n") == 24  # header and 23 rows; the newline inside the memo stays a bare \n
    rows = _csv(text)
    assert next(x for x in rows if x["code"] == "subsidies" and x["coder"] == "dora")["memo"] == "'=SUM(A1:A9)"


def test_json_nests_attributes_with_their_types(study: Path) -> None:
    r = run_cli("--study", str(study), "export", "-f", "json", "--coder", "dora", "--accepted-only")
    items = json.loads(r.stdout)
    assert len(items) == 1
    item = items[0]
    assert item["citation"] == "h1¶10" and item["score"] == 0.82 and item["decision"] == "accepted"
    assert item["attributes"] == {"municipalities": 1, "organisation_type": "volunteers-only", "sector": "welzijn"}


def test_same_study_same_bytes(study: Path) -> None:
    a = run_cli("--study", str(study), "export", "-f", "csv").stdout
    b = run_cli("--study", str(study), "export", "-f", "csv").stdout
    assert a == b


def test_format_follows_the_output_extension(study: Path, tmp_path: Path) -> None:
    for name in ("d.csv", "d.json", "d.qdc"):
        r = run_cli("--study", str(study), "export", "-o", str(tmp_path / name))
        assert r.exit_code == 0, r.stderr
    assert (tmp_path / "d.csv").read_text(encoding="utf-8").startswith('"citation",')
    assert json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))[0]["citation"] == "h1¶2"
    assert b"<CodeBook" in (tmp_path / "d.qdc").read_bytes()
