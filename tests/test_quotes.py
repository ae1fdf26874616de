"""quote: formats, Markdown safety, spans, filters, sampling and the personal-data screen."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from grondmotief.cli.output import Column, Fmt, render
from grondmotief.privacy.mdsafe import blockquote, escape_inline, table_cell
from grondmotief.study.folder import Study

FIXTURE = Path(__file__).parent / "fixtures" / "analysis"
HOSTILE = "# Kop *vet* _schuin_ > citaat | pipe [link](javascript:alert(1)) <script>alert(1)</script> ![i](x) `c` ~~s~~ &amp; \\"
FORBIDDEN_HTML = ("<script", "<em>", "<strong>", "<h1", "<a ", "<img", "<code>", "<s>", "<del>", "<b>")


@pytest.fixture
def study_dir(tmp_path: Path) -> Path:
    dest = tmp_path / "study"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("golden", "chapters"))
    return dest


def md_html(text: str) -> str:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)


def q(cli, study_dir: Path, *args: str):
    return cli("quote", "--study", str(study_dir), *args)


# Markdown safety -----------------------------------------------------------------------------------
def test_escape_inline_renders_literally() -> None:
    html = md_html(escape_inline(HOSTILE))
    assert not any(tag in html for tag in FORBIDDEN_HTML), html
    assert html.count("<p>") == 1
    assert "&lt;script&gt;" in html and "*vet*" in html and "[link]" in html


def test_blockquote_cannot_be_broken_out_of() -> None:
    text = "eerste alinea\n\n" + HOSTILE + "\n---\n1. lijst\n- item\n\n> nog een"
    html = md_html(blockquote(text) + "\n\nna de quote")
    assert html.count("<blockquote>") == 1
    assert html.rstrip().endswith("<p>na de quote</p>")
    body = html.split("</blockquote>")[0]
    assert not any(tag in body for tag in (*FORBIDDEN_HTML, "<hr", "<ol", "<ul", "<li"))


def test_table_cell_keeps_columns() -> None:
    rows = [{"a": HOSTILE, "b": "x|y\nz"}, {"a": "gewoon", "b": "<b>vet</b>"}]
    html = md_html(render(rows, [Column("a"), Column("b")], Fmt.md))
    assert html.count("<tr>") == 3 and html.count("<td>") == 4
    assert not any(tag in html for tag in FORBIDDEN_HTML)
    assert table_cell(None) == ""


def test_invisible_and_bidi_controls_removed() -> None:
    assert escape_inline("a\u202eb\x1b[31mc") == "ab[31mc".replace("[", "\\[")


# The quote command ---------------------------------------------------------------------------------
def test_quote_md_hostile_passage_is_safe(cli, study_dir: Path) -> None:
    r = q(cli, study_dir, "--code", "love", "--where", "sector=sociaal domein")
    assert r.exit_code == 0, r.stderr
    html = md_html(r.stdout)
    assert html.count("<blockquote>") == 1
    assert not any(tag in html for tag in FORBIDDEN_HTML), html
    assert "— organisatie rond vrijwilligerswerk, sociaal domein (org02¶6)" in r.stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_quote_theme_withholds_email_and_allow_flagged_shows_it(cli, study_dir: Path) -> None:
    r = q(cli, study_dir, "--theme", "subsidies")
    assert r.exit_code == 0
    assert re.findall(r"\((org\d+¶\d+)\)$", r.stdout, flags=re.M) == ["org01¶2", "org02¶6", "org03¶2", "org04¶4"]
    assert "info@" not in r.stdout
    assert "org01¶6 withheld" in r.stderr and "e-mail address" in r.stderr
    assert "info@" not in r.stderr and "buurtsport" not in r.stderr  # the kind, never the text
    shown = q(cli, study_dir, "--theme", "subsidies", "--allow-flagged")
    assert "info@buurtsport-voorbeeld.nl" in shown.stdout and "withheld" not in shown.stderr


def test_forbidden_name_is_withheld(cli, study_dir: Path) -> None:
    r = q(cli, study_dir, "--theme", "permits", "--format", "json")
    assert [x["id"] for x in json.loads(r.stdout)] == ["org01¶4"]
    assert "org03¶4 withheld" in r.stderr and "forbidden name" in r.stderr and "Klompmaker" not in r.stderr


def test_quote_json_is_verbatim_span(cli, study_dir: Path) -> None:
    r = q(cli, study_dir, "--code", "subsidies", "--coder", "anna", "--format", "json", "--allow-flagged")
    data = {x["id"]: x for x in json.loads(r.stdout)}
    s = Study.open(study_dir)
    for qid, item in data.items():
        text = s.segment(qid).text
        pieces = [text[a:b].strip() for a, b in item["spans"]]
        assert item["text"] == " (…) ".join(pieces)
    assert data["org01¶2"]["text"] == "Elk jaar weer die aanvraag."  # anna's span only
    assert data["org01¶2"]["coders"] == ["anna"]


def test_spans_of_several_codes_are_joined_with_elision(cli, study_dir: Path) -> None:
    r = q(cli, study_dir, "--theme", "subsidies", "--motive", "efficiency", "--format", "text")
    assert r.exit_code == 0
    assert "org04¶4 (professionele organisatie met vrijwilligers, zorg)" in r.stdout
    assert (
        "“De subsidie is meerjarig, gelukkig. (…) En dan vragen ze ook nog om cijfers over bereik en effect.”"
        in r.stdout
    )
    ids = re.findall(r"^(org\d+¶\d+)", r.stdout, flags=re.M)
    assert ids == ["org01¶2", "org04¶4"]  # AND of theme and motive


def test_union_of_coders_quotes_a_passage_once(cli, study_dir: Path) -> None:
    r = q(cli, study_dir, "--code", "care", "--format", "json")
    items = json.loads(r.stdout)
    assert [x["id"] for x in items] == ["org02¶2", "org02¶4", "org04¶2"]
    assert next(x for x in items if x["id"] == "org04¶2")["coders"] == ["anna", "ben"]
    # A parent code includes passages coded with its children.
    parent = json.loads(q(cli, study_dir, "--motive", "scarcity-abundance", "--format", "json").stdout)
    assert [x["id"] for x in parent] == ["org01¶4", "org02¶2", "org03¶2"]


def test_where_filters(cli, study_dir: Path) -> None:
    one = json.loads(
        q(
            cli,
            study_dir,
            "--where",
            "organisation_type=volunteers-only",
            "--where",
            "sector=cultuur",
            "--format",
            "json",
        ).stdout
    )
    assert [x["id"] for x in one] == ["org03¶2"]  # org03¶4 is withheld (forbidden name)
    either = json.loads(
        q(
            cli, study_dir, "--code", "love", "--where", "sector=zorg", "--where", "sector=sport", "--format", "json"
        ).stdout
    )
    assert [x["id"] for x in either] == ["org01¶2", "org04¶2"]
    bad = q(cli, study_dir, "--where", "kleur=rood")
    assert bad.exit_code == 2 and "no transcript has attribute 'kleur'" in bad.stderr
    worse = q(cli, study_dir, "--where", "geen-is-teken")
    assert worse.exit_code == 2 and "key=value" in worse.stderr


def test_csv_and_context(cli, study_dir: Path) -> None:
    r = q(cli, study_dir, "--code", "equality", "--format", "csv", "--context")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["id"] for row in rows] == ["org02¶4", "org04¶2"]
    assert rows[0]["context"] == "Wat maakt het werk de moeite waard?"
    assert rows[1]["attribution"] == "professionele organisatie met vrijwilligers, zorg"
    md = q(cli, study_dir, "--code", "equality", "--context", "--limit", "1")
    assert md.stdout.startswith("> *Interviewer:* Wat maakt het werk de moeite waard?\n>\n> Het contact")


def test_sample_is_deterministic_per_seed(cli, study_dir: Path) -> None:
    def ids(seed: int) -> list[str]:
        out = q(cli, study_dir, "--sample", "3", "--seed", str(seed), "--format", "json", "--allow-flagged").stdout
        return [x["id"] for x in json.loads(out)]

    first = ids(7)
    assert len(first) == 3 and first == ids(7)
    assert first == sorted(first, key=lambda s: (s.split("¶")[0], int(s.split("¶")[1])))  # citation order
    assert len({tuple(ids(seed)) for seed in range(6)}) > 1


def test_limit_and_usage_errors(cli, study_dir: Path) -> None:
    r = q(cli, study_dir, "--limit", "2", "--format", "json")
    assert len(json.loads(r.stdout)) == 2
    assert q(cli, study_dir, "--theme", "love").exit_code == 2  # a motive given as theme
    assert q(cli, study_dir, "--format", "table").exit_code == 2
    unknown = q(cli, study_dir, "--code", "nope")
    assert unknown.exit_code == 2 and "--code 'nope': no such code" in unknown.stderr
    none = q(cli, study_dir, "--code", "abundance", "--coder", "ben")
    assert none.exit_code == 0 and none.stdout == "" and "no quotes match" in none.stderr


# Escaping only where a character is special ---------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("Crowdmanagement! Voor een weiland", "Crowdmanagement! Voor een weiland"),
        ("snake_case, 3 * 4 en 5 ~ 6", "snake_case, 3 * 4 en 5 ~ 6"),
        ("#1 prioriteit, Zorg + Welzijn - 50% {x} ^", "#1 prioriteit, Zorg + Welzijn - 50% {x} ^"),
        ("1990 was een goed jaar", "1990 was een goed jaar"),
        ("# kop", "\\# kop"),
        ("- item", "\\- item"),
        ("+ item", "\\+ item"),
        ("* item", "\\* item"),
        ("1. lijst", "1\\. lijst"),
        ("Thema #", "Thema \\#"),
        ("![i](x)", "\\!\\[i\\](x)"),
        ("*vet* en _schuin_", "\\*vet\\* en \\_schuin\\_"),
        ("a|b", "a\\|b"),
        ("`code` \\", "\\`code\\` \\\\"),
        ("<b> & &amp;", "&lt;b&gt; & &amp;amp;"),
    ],
)
def test_escape_inline_only_where_special(text: str, escaped: str) -> None:
    assert escape_inline(text) == escaped


def test_blockquote_leaves_pipes_alone_but_no_table_forms() -> None:
    text = "kolom | kolom\n\n| --- | --- |\n\n| a | b |"
    quoted = blockquote(text)
    assert "\\|" not in quoted
    html = md_html(quoted)
    assert "<table" not in html and html.count("<blockquote>") == 1
    assert "\\|" in escape_inline("a | b")  # a cell of a table keeps its escaped pipe


_ALPHABET = "ab 1.#*_-+!|[]()<>&;`~\\=:"


def _rendered_text(html: str) -> str:
    import html as html_lib

    return html_lib.unescape(re.sub(r"<[^>]+>", "", html)).strip()


def test_escaped_text_renders_as_itself() -> None:
    """Whatever the text, the escaped version renders to that text, in one paragraph, and no markup."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from grondmotief.privacy.mdsafe import clean

    @settings(max_examples=400, deadline=None)
    @given(st.text(alphabet=_ALPHABET, min_size=1, max_size=24))
    def check(text: str) -> None:
        plain = clean(text)
        if not plain:
            return
        html = md_html(escape_inline(text))
        assert html.count("<p>") == 1 and not any(t in html for t in (*FORBIDDEN_HTML, "<ul", "<ol", "<hr", "<h"))
        assert _rendered_text(html) == plain
        quoted = md_html(blockquote(text))
        assert quoted.count("<blockquote>") == 1 and _rendered_text(quoted) == plain

    check()


# Which quotes: narrowed spans, spread over organisations ---------------------------------------------
def test_a_narrowed_span_wins_over_a_whole_passage(cli, study_dir: Path) -> None:
    # org01¶2: anna narrowed subsidies to its first sentence, ben accepted the whole passage.
    r = q(cli, study_dir, "--theme", "subsidies", "--format", "json")
    item = next(x for x in json.loads(r.stdout) if x["id"] == "org01¶2")
    assert item["text"] == "Elk jaar weer die aanvraag." and item["coders"] == ["anna", "ben"]
    # Several codes asked: each code's part (efficiency was accepted whole), so the whole passage.
    both = json.loads(q(cli, study_dir, "--theme", "subsidies", "--motive", "efficiency", "--format", "json").stdout)
    assert next(x for x in both if x["id"] == "org01¶2")["spans"] == [[0, 130]]


def test_best_quotes_spread_over_organisations_and_passages(study_dir: Path) -> None:
    from grondmotief.analysis.tallies import coded_passages
    from grondmotief.report.quotes import QuoteFinder, QuoteUsage, best_quotes

    s = Study.open(study_dir)
    finder = QuoteFinder(s, coded_passages(s))
    ids = lambda quotes: [x.id for x in quotes]  # noqa: E731
    # care: org02¶2 (anna), org02¶4 (ben), org04¶2 (anna and ben: the strongest).
    assert ids(best_quotes(finder, ["care"], 1)) == ["org04¶2"]
    # An organisation not yet quoted in the chapter comes before a stronger quote from one that was.
    assert ids(best_quotes(finder, ["care"], 1, usage=QuoteUsage(cases={"org04": 1}))) == ["org02¶2"]
    # Shown strongest first, whatever the order they were chosen in.
    usage = QuoteUsage(cases={"org04": 1})
    assert ids(best_quotes(finder, ["care"], 2, usage=usage)) == ["org04¶2", "org02¶2"]
    assert usage.cases == {"org04": 2, "org02": 1} and usage.passages == {"org04¶2", "org02¶2"}
    # A passage already quoted under another theme comes last, even after a second quote of one case.
    used = QuoteUsage(passages={"org04¶2"})
    assert ids(best_quotes(finder, ["care"], 2, usage=used)) == ["org02¶2", "org02¶4"]
    assert ids(best_quotes(finder, ["care"], 3, usage=QuoteUsage(passages={"org04¶2"}))) == [
        "org04¶2",
        "org02¶2",
        "org02¶4",
    ]


def test_chapter_quotes_spread_over_the_themes_of_a_group(study_dir: Path) -> None:
    """The themes of chapter 1 choose their quotes together, so no passage is quoted twice."""
    from grondmotief.report.context import build_context

    s = Study.open(study_dir)
    ctx, _ = build_context(s, None)
    picked = [x["id"] for c in s.codebook.in_group("theme") for x in ctx["quotes"][c]]
    assert len(picked) == len(set(picked))
    assert [x["id"] for x in ctx["quotes"]["care"]] == ["org04¶2", "org02¶2"]
    assert picked == ["org01¶2", "org02¶6", "org01¶4", "org04¶2", "org02¶2"]
