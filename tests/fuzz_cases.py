"""Seeded fuzzing through the real CLI: one damaged file of one kind per case, in a small study.

Used by tests/test_fuzz_parsers.py (`FUZZ_CASES` cases per kind, 300 by default) and by
benchmarks/bench_fuzz.py (time per case). A case is reproducible from (kind, seed) alone:
`python -c "from fuzz_cases import KINDS; print(KINDS['codebook'].make(7))"` from tests/.

Each case copies a tiny study, puts the damaged file where the tool reads it (or imports it from
outside the study), runs one command in-process, and returns what the checks need. Mutations are
the damage real files get (cuts, duplicated runs, flipped bytes) plus tokens that hit each
parser's edge cases (YAML aliases, huge numbers, deep nesting, control characters, escapes,
Jinja loops and filters, XML entities, caption timings). Zip-based kinds are damaged either as
bytes or member by member and re-zipped, so the parsers behind the zip layer are reached too.
"""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import typer.main
import typer.testing

from grondmotief.cli.app import app

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
STUDY = FIXTURES / "foundation" / "study"
IMPORTS = FIXTURES / "foundation" / "import"
REFI = FIXTURES / "refi"

# Built once: the click command `grondmotief` runs, without Typer rebuilding it per invocation
# (which costs ~60 ms, three times the command itself on this study).
_COMMAND = typer.main.get_command(app)
# A file name must appear in the output of every failing run.
FILE_NAME = re.compile(r"(interviews|codings|codebooks|templates|chapters)/[\w.¶-]+|grondmotief\.yaml|fz\.\w+")

COMMON = [
    "\n",
    "\n\n",
    " ",
    "\t",
    ":",
    ": ",
    "-",
    "- ",
    "#",
    "'",
    '"',
    "\\",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\x00",
    "\x1b[31m",
    "\x07",
    "\ufeff",
    "\u202e",
    "é",
    "¶",
    "0",
    "-1",
    "9" * 5000,
    "1e999",
    "\r\n",
    "\r",
    "\x85",
]
YAML = [
    "&a ",
    "*a",
    "<<: *a",
    "? [a, b]\n: 1\n",
    "!!python/object/apply:os.system ['x']",
    "!!binary aGFsbG8=",
    "!!float",
    ".inf",
    ".nan",
    "~",
    "null",
    "yes",
    "2024-13-45",
    '"\\e[2J"',
    '"\\udc80"',
    '"\\x00"',
    "|\n  ",
    ">-\n  ",
    "[" * 80,
    "]" * 80,
    "{a: " * 70,
    "}" * 70,
    "\n  - ",
    "\n    ",
    "id: ",
    "children: ",
    "keywords: ",
    "group: ",
    "label: ",
    "format_version: 2",
    "codebook: ../x",
    "chapters_dir: /tmp",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
]
JSON = [
    '{"',
    '"}',
    '":',
    "null",
    "true",
    "NaN",
    "Infinity",
    "-Infinity",
    "[" * 3000,
    "]" * 3000,
    '"\\udc80"',
    '"\\u001b[2J"',
    '"segment": "t1¶99"',
    '"span": [5, 2]',
    '"span": [0, 99999]',
    '"decision": "maybe"',
    '"code": "_none"',
    '"coder": "iemand"',
    '"at": "gisteren"',
    "9" * 4400,
    "\n{}",
    "\n[]",
    '\n"x"',
]
JINJA = [
    "{{ ",
    " }}",
    "{% ",
    " %}",
    "{% for i in range(100000) %}",
    "{% endfor %}",
    "{% if ",
    "{% endif %}",
    "{% macro m(x) %}{{ m(x ~ x) }}{% endmacro %}{{ m('ab') }}",
    "{% set ns = namespace(s='x') %}",
    "{% set ns.s = ns.s ~ ns.s %}",
    "|join",
    "|sum(start=[])",
    "|slice(100000000)",
    "|wordwrap(1, true, 'xxxxxxxx')",
    "'x' * 100000",
    "[[0] * 100000] * 100000",
    "** 64",
    "2 ** 100000",
    "'x'.ljust(1000000000)",
    ".__class__",
    "lipsum()",
    "{% include 'fz.md.j2' %}",
    "{% include '../grondmotief.yaml' %}",
    "{% import 'os' as os %}",
    "|int",
    "|float",
    "|round",
    "|tojson",
    "|pprint",
    "|quote",
    "|pct",
    "|cell",
    "|join_and",
    "|raw",
    "|md",
    "codes",
    "cases",
    "tally(",
    "quotes(",
    "crosstab(",
    "'\\udc80'",
    "{# ",
    " #}",
    "{% raw %}",
    "{% endraw %}",
]
CAPTIONS = [
    "WEBVTT\n",
    "-->",
    " --> ",
    "00:00:01.000",
    "99:99:99,999",
    "00:00:01,000 --> 00:00:00,500",
    "<v Jan>",
    "<v >",
    "</v>",
    "<b>",
    "NOTE ",
    "STYLE\n",
    "1\n",
    "Interviewer: ",
    "Spreker 2: ",
    "Jan de Vries: ",
    "I: ",
    "R: ",
]
XML = [
    "<",
    ">",
    "</",
    "/>",
    "&amp;",
    "&#0;",
    "&#xD800;",
    "&x;",
    "<!DOCTYPE x [<!ENTITY x 'y'>]>",
    "<![CDATA[",
    "]]>",
    'xmlns="urn:x"',
    'guid="',
    'name="',
    'startPosition="',
    'endPosition="',
    "99999999999",
    "-5",
    'plainTextPath="internal://../../etc/passwd"',
    "<Code ",
    "<Codes>",
    "</Codes>",
    "<PlainTextSelection ",
    "<TextSource ",
    "<CodeRef targetGUID=",
    "<w:p>",
    "</w:p>",
    "<w:t>",
    "</w:t>",
    "<w:br/>",
    "isCodable=",
]


def _mutate_text(text: str, rng: random.Random, tokens: list[str]) -> str:
    """A few cuts, insertions, duplications and swaps: the damage real files get, plus edge-case tokens."""
    for _ in range(1 if rng.random() < 0.5 else rng.randint(2, 5)):  # one change reaches deeper than many
        i = rng.randint(0, max(0, len(text) - 1))
        kind = rng.random()
        if kind < 0.25:
            text = text[:i] + text[i + rng.randint(1, 60) :]
        elif kind < 0.7:
            token = rng.choice(tokens) if rng.random() < 0.8 else rng.choice(COMMON)
            text = text[:i] + token + text[i:]
        elif kind < 0.85:
            j = rng.randint(max(0, i - 80), i)
            text = text[:i] + text[j:i] * rng.randint(1, 4) + text[i:]
        else:
            j = rng.randint(0, max(0, len(text) - 1))
            a, b = sorted((i, j))
            text = text[:a] + text[b : b + (b - a)] + text[a:b] + text[b + (b - a) :]
    return text


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if not buf:
            break
        i = rng.randrange(len(buf))
        kind = rng.random()
        if kind < 0.4:
            buf[i] ^= 1 << rng.randrange(8)
        elif kind < 0.6:
            del buf[i : i + rng.randint(1, 400)]
        elif kind < 0.8:
            buf[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        else:
            buf[i:i] = buf[max(0, i - 200) : i]
    return bytes(buf)


def _as_bytes(text: str, rng: random.Random) -> bytes:
    """Mostly UTF-8; sometimes Latin-1, UTF-16 or a byte flipped, as files from other machines are."""
    r = rng.random()
    if r < 0.04:
        return text.encode("utf-16")
    if r < 0.08:
        return text.encode("latin-1", errors="replace")
    data = text.encode("utf-8", errors="surrogatepass")
    return _mutate_bytes(data, rng) if r < 0.14 else data


def _zip(members: dict[str, bytes], rng: random.Random) -> bytes:
    out = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if rng.random() < 0.5 else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 5, 1, 12, 0, 0)), data, compress_type=method)
    return out.getvalue()


def _unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _zip_kind(base: bytes, rng: random.Random, tokens: list[str]) -> bytes:
    """Half the cases damage the archive's bytes; half damage one member's text and zip it again."""
    if rng.random() < 0.35:
        return _mutate_bytes(base, rng)
    members = _unzip(base)
    names = [n for n in members if n.endswith((".xml", ".qde", ".txt", ".rels"))]
    for name in rng.sample(names, k=min(len(names), rng.randint(1, 2))):
        members[name] = _as_bytes(_mutate_text(members[name].decode("utf-8"), rng, tokens), rng)
    if rng.random() < 0.1:  # odd members: empty name, traversal, directory, duplicate
        members[rng.choice(["", "../x.txt", "sources/", "sources/a/../../b.txt", "/abs.txt"])] = b"x"
    return _zip(members, rng)


def _minimal_docx() -> bytes:
    """A small Word file (python-docx reads it): the real one carries 800 KB of styles."""
    doc = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        "<w:p><w:r><w:t>Interviewer: Hoe verloopt de samenwerking met de gemeente?</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>Respondent: Elk jaar weer die aanvraag,</w:t></w:r><w:r><w:br/><w:t>en dan wachten.</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>Interviewer: Hoe lang duurt dat?</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>Respondent: Maanden. De subsidie komt altijd te laat.</w:t></w:r></w:p>"
        "</w:body></w:document>\n"
    )
    types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>\n'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>\n'
    )
    members = {"[Content_Types].xml": types.encode(), "_rels/.rels": rels.encode(), "word/document.xml": doc.encode()}
    return _zip(members, random.Random(0))


@dataclass(frozen=True)
class Kind:
    name: str
    place: str  # where the file goes: a path inside the study, or "import:<ext>" (imported from outside)
    args: tuple[str, ...]
    make: Callable[[int], bytes]


def _text_kind(base: str, tokens: list[str]) -> Callable[[int], bytes]:
    def make(seed: int) -> bytes:
        rng = random.Random(seed)
        text = base if rng.random() < 0.03 else _mutate_text(base, rng, tokens)
        return _as_bytes(text, rng)

    return make


def _binary_kind(base: bytes, tokens: list[str]) -> Callable[[int], bytes]:
    def make(seed: int) -> bytes:
        rng = random.Random(seed)
        return base if rng.random() < 0.03 else _zip_kind(base, rng, tokens)

    return make


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


_DECISION = (
    '{{"segment": "{seg}", "code": "{code}", "decision": "{d}", "span": {span}, "source": "manual", "score": null, '
    '"coder": "tester", "at": "2024-05-01T12:00:0{n}Z", "memo": "{memo}", "text_sha": ""}}\n'
)
CODINGS = "".join(
    _DECISION.format(seg=seg, code=code, d=d, span=span, n=n, memo=memo)
    for n, (seg, code, d, span, memo) in enumerate(
        [
            ("t1¶2", "subsidies", "accepted", "null", "aanvraag"),
            ("t1¶2", "permits", "rejected", "null", ""),
            ("t1¶4", "permits", "accepted", "[4, 20]", "vergunning \\u00e9n verzekering"),
            ("t2¶2", "love", "accepted", "null", ""),
        ]
    )
)
SETTINGS = (
    "format_version: 1\ncodebook: mini\ncoder: tester\ncoded_roles: [respondent]\n"
    "suggest:\n  threshold: 0.35\n  min_examples: 8\nreport:\n  quotes_per_code: 2\n  chapters_dir: chapters\n"
    "privacy:\n  forbidden_names: [Jan de Vries]\n  allowed_names: [Wandelclub]\nlimits:\n  max_file_mb: 2\n"
    "  template_seconds: 2\n"
)
TEMPLATE = """# {{ study.name|default('Studie') }}

{% for c in codes.values()|sort(attribute='id') %}
- {{ c.label }} ({{ c.id }}){% if c.children %}: {{ c.children|join_and }}{% endif %}
{% endfor %}
{% set ns = namespace(n=0) %}{% for t in cases %}{% set ns.n = ns.n + 1 %}{% endfor %}
{{ ns.n }} gesprekken; {{ (0.25)|pct }}; {{ 'a|b'|cell }}; {{ [1, 2, 3]|sum }}
{% macro kop(x) %}## {{ x|md }}{% endmacro %}{{ kop('Slot') }}
"""
KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        Kind("transcript", "interviews/fz.md", ("check", "--no-pii"),
             _text_kind(_read(STUDY / "interviews" / "t1.md").replace("id: t1", "id: fz"), YAML + CAPTIONS)),
        Kind("codebook", "codebooks/mini.yaml", ("check", "--no-pii"), _text_kind(_read(STUDY / "codebooks" / "mini.yaml"), YAML)),
        Kind("settings", "grondmotief.yaml", ("check", "--no-pii"), _text_kind(SETTINGS, YAML)),
        Kind("codings", "codings/tester.jsonl", ("check", "--no-pii"), _text_kind(CODINGS, JSON)),
        Kind("template", "templates/fz.md.j2", ("report",), _text_kind(TEMPLATE, JINJA)),
        Kind("txt", "import:.txt", ("import", "--force"), _text_kind(_read(IMPORTS / "gesprek.txt"), CAPTIONS)),
        Kind("vtt", "import:.vtt", ("import", "--force"), _text_kind(_read(IMPORTS / "gesprek.vtt"), CAPTIONS)),
        Kind("srt", "import:.srt", ("import", "--force"), _text_kind(_read(IMPORTS / "gesprek.srt"), CAPTIONS)),
        Kind("docx", "import:.docx", ("import", "--force"), _binary_kind(_minimal_docx(), XML)),
        Kind("qdpx", "import:.qdpx", ("import", "--force"), _binary_kind((REFI / "atlas26_like.qdpx").read_bytes(), XML)),
        Kind("qdc", "import:.qdc", ("import", "--force"), _text_kind(_read(REFI / "maxqda_like_codebook.qdc"), XML)),
    ]
}  # fmt: skip


@dataclass
class Outcome:
    exit_code: int
    output: str
    written_outside: list[str]


def _listing(folder: Path, skip: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        if Path(dirpath) == skip.parent:
            dirnames[:] = [d for d in dirnames if d != skip.name]
        for f in filenames:
            p = Path(dirpath) / f
            st = p.lstat()
            out[str(p.relative_to(folder))] = (st.st_size, st.st_mtime_ns)
    return out


def scratch(fallback: Path) -> Path:
    """A working folder in memory when the machine has one: each case copies a study and runs
    commands that fsync, and on a busy disk a mkdir/rmdir pair alone costs ~3 ms."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        import tempfile

        return Path(tempfile.mkdtemp(prefix="grondmotief-fuzz-", dir=shm))
    return fallback


def prepare(workdir: Path) -> Path:
    """The study every case starts from: the foundation study plus empty overrides of the packaged
    chapters (so `report` renders only the fuzzed template) and a folder standing for 'outside'."""
    base = workdir / "base"
    if not base.exists():
        shutil.copytree(STUDY, base)
        (base / "templates").mkdir()
        for name in ("01-ervaringen", "02-grondmotieven", "03-bijlage-codeboek", "04-bijlage-organisaties"):
            (base / "templates" / f"{name}.md.j2").write_text("", encoding="utf-8")
        (base / "templates" / "fz.md.j2").write_text(TEMPLATE, encoding="utf-8")
        (base / "grondmotief.yaml").write_text(SETTINGS, encoding="utf-8")
        (base / "codings" / "tester.jsonl").write_text(CODINGS, encoding="utf-8")
    (workdir / "buiten").mkdir(exist_ok=True)
    (workdir / "buiten" / "laat-staan.txt").write_text("buiten de studie\n", encoding="utf-8")
    return base


def run_case(kind: Kind, seed: int, workdir: Path) -> Outcome:
    base = prepare(workdir)
    study = workdir / "study"
    if study.exists():
        shutil.rmtree(study)
    shutil.copytree(base, study, symlinks=True)
    data = kind.make(seed)
    args = ["--study", str(study), *kind.args]
    if kind.place.startswith("import:"):
        source = workdir / "in" / f"fz{kind.place.split(':', 1)[1]}"
        source.parent.mkdir(exist_ok=True)
        source.write_bytes(data)
        args.append(str(source))
    else:
        (study / kind.place).write_bytes(data)
    before = _listing(workdir, study)
    with mock.patch.object(typer.testing, "_get_command", lambda _app: _COMMAND):  # the runner, not the tool
        result = typer.testing.CliRunner().invoke(app, args, catch_exceptions=False)
    after = _listing(workdir, study)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    if Path("/tmp/grondmotief-evil.txt").exists():
        changed.append("/tmp/grondmotief-evil.txt")
    return Outcome(result.exit_code, result.stdout + result.stderr, changed)


def problems(outcome: Outcome) -> list[str]:
    """What is wrong with one case's outcome (empty: the case passed)."""
    out = outcome.output
    found = []
    if outcome.exit_code not in (0, 1, 2):
        found.append(f"exit {outcome.exit_code}")
    if "Traceback" in out or "internal error" in out:
        found.append("traceback or internal error")
    if outcome.exit_code != 0 and not FILE_NAME.search(out):
        found.append("an error that names no file")
    if outcome.written_outside:
        found.append(f"wrote outside the study: {outcome.written_outside}")
    return found
