"""From a source text and its selection offsets to paragraphs, speakers and segment-relative spans.

Offset models differ between tools (spec: code points; NVivo: UTF-16 units, counting CRLF as two;
ATLAS.ti: code points over LF-normalised text; a BOM sometimes counted). We try each model and
keep the one whose selections start and end on word boundaries most often.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from grondmotief.interop.importers import INTERVIEWER_NAMES
from grondmotief.interop.speakers import SpeakerChoice, choose_speakers

SPEAKER = re.compile(r"^(?P<name>[^\s:][^:\n]{0,38}?)[ \t]*:[ \t]+(?=\S)")
OUR_SPEAKERS = re.compile(r"^Speakers:\s*(?P<pairs>.+)$", re.MULTILINE)
LABEL_OK = re.compile(r"^[A-Z][A-Za-z0-9]{0,7}$")


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _raw_to_norm(raw: str) -> Callable[[int], int]:
    """Index in the raw text → index in the LF-normalised text (a CRLF becomes one character)."""
    if "\r\n" not in raw:
        return lambda i: i
    dropped = [m.start() + 1 for m in re.finditer("\r\n", raw)]  # the \n of each CRLF disappears
    return lambda i: i - bisect_right(dropped, i)


def _utf16_to_cp(text: str) -> Callable[[int], int]:
    """UTF-16 unit index → code point index; an offset inside a surrogate pair rounds up."""
    astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF] if not text.isascii() else []
    if not astral:
        return lambda x: x

    def units_before(i: int) -> int:
        return i + bisect_left(astral, i)

    def convert(x: int) -> int:
        lo, hi = 0, len(text)
        while lo < hi:  # the first code point index whose UTF-16 position is at or after x
            mid = (lo + hi) // 2
            if units_before(mid) < x:
                lo = mid + 1
            else:
                hi = mid
        return lo

    return convert


@dataclass
class OffsetModel:
    name: str
    convert: Callable[[int], int | None]  # offset in the file's model → index in the normalised text


def offset_models(raw: str, had_bom: bool) -> list[OffsetModel]:
    norm = normalise(raw)
    r2n = _raw_to_norm(raw)
    raw_units = len(raw.encode("utf-16-le")) // 2 if not raw.isascii() else len(raw)
    has_astral = raw_units != len(raw)

    def within(limit: int, f: Callable[[int], int], shift: int = 0) -> Callable[[int], int | None]:
        return lambda x: f(x - shift) if 0 <= x - shift <= limit else None

    models = [OffsetModel("code points (REFI-QDA standard)", within(len(raw), r2n))]
    if "\r" in raw:
        models.append(OffsetModel("code points over LF line ends (ATLAS.ti)", within(len(norm), lambda x: x)))
    if has_astral:
        u16_raw = _utf16_to_cp(raw)
        models.append(OffsetModel("UTF-16 units (NVivo)", within(raw_units, lambda x: r2n(u16_raw(x)))))
        if "\r" in raw:
            norm_units = len(norm.encode("utf-16-le")) // 2
            models.append(OffsetModel("UTF-16 units over LF line ends", within(norm_units, _utf16_to_cp(norm))))
    if had_bom:
        models.append(OffsetModel("code points counting the BOM", within(len(raw), r2n, shift=1)))
    return models


def _in_word(text: str, i: int) -> bool:
    return 0 < i < len(text) and text[i - 1].isalnum() and text[i].isalnum()


def choose_model(
    raw: str, had_bom: bool, selections: list[tuple[int, int]], origin: str
) -> tuple[OffsetModel, int, int]:
    """(model, boundaries that fall between words, boundaries checked) for the best-fitting model."""
    models = offset_models(raw, had_bom)
    norm = normalise(raw)
    prefer = 0
    if "nvivo" in origin.lower():
        prefer = next((k for k, m in enumerate(models) if m.name.startswith("UTF-16")), 0)
    elif "atlas" in origin.lower():
        prefer = next((k for k, m in enumerate(models) if "ATLAS" in m.name), 0)
    best: tuple[int, int, int] | None = None  # (score, -priority, index)
    checked = 2 * len(selections)
    for k, m in enumerate(models):
        score = 0
        for s, e in selections:
            for x in (s, e):
                i = m.convert(x)
                if i is not None and not _in_word(norm, i):
                    score += 1
        key = (score, 1 if k == prefer else 0, -k)
        if best is None or key > best:
            best = key
    assert best is not None
    return models[-best[2]], best[0], checked


# --------------------------------------------------------------------------- paragraphs
MAX_PARAGRAPH = 4000  # characters; a longer block is split at its line breaks, else at sentence ends


@dataclass
class Paragraph:
    start: int  # in the normalised text: the paragraph, label included
    end: int
    speaker: str | None  # the name as written in the source, when taken as a speaker
    text_start: int  # where the words after the label begin


@dataclass
class Layout:
    paragraphs: list[Paragraph]
    mode: str  # "blocks" (blank lines separate paragraphs) or "lines" (every line is one)
    choice: SpeakerChoice
    labels: dict[str, str]  # source name → label (I, R, R2 …)
    roles: dict[str, str]  # label → role
    notes: list[str]
    split_long: int = 0  # paragraphs longer than MAX_PARAGRAPH that were split


def layout(norm: str, description: str = "") -> Layout:
    """Paragraphs and speakers of a normalised source text, following the source's own structure.

    Paragraphs are the blank-line separated blocks when the text has blank lines, else its lines;
    a line that opens with a speaker label (see grondmotief.interop.speakers) starts a new paragraph too.
    A paragraph longer than MAX_PARAGRAPH is split at its line breaks (else at sentence ends), so a
    hard-wrapped text never becomes one paragraph of tens of thousands of characters.
    """
    lines: list[tuple[int, int]] = []
    pos = 0
    for chunk in norm.split("\n"):
        a, b = pos, pos + len(chunk)
        pos = b + 1
        if chunk.strip():
            a += len(chunk) - len(chunk.lstrip())
            b -= len(chunk) - len(chunk.rstrip())
            lines.append((a, b))
    blank = [i > 0 and norm.count("\n", lines[i - 1][1], lines[i][0]) >= 2 for i in range(len(lines))]
    blocks = any(blank)
    names = [m["name"].strip() if (m := SPEAKER.match(norm[a:b])) else None for a, b in lines]
    units = (1 + sum(blank)) if blocks else len(lines)
    ours = _declared(description)
    if ours:  # our own export: exactly the labels the transcript declared; anything else is text
        taken = {n: sum(1 for x in names if x == n) for n in dict.fromkeys(x for x in names if x in ours)}
        choice = SpeakerChoice(taken)
        labels, roles, notes = {n: n for n in taken}, dict(ours), list[str]()
    else:
        choice = choose_speakers([n for n in names if n], units)
        labels, roles, notes = _assign(list(choice.taken))
    groups: list[list[int]] = []
    for i in range(len(lines)):
        if not groups or not blocks or blank[i] or (names[i] in choice.taken):
            groups.append([i])
        else:
            groups[-1].append(i)
    out = Layout([], "blocks" if blocks else "lines", choice, labels, roles, notes)
    for g in groups:
        pieces = [g]
        if lines[g[-1]][1] - lines[g[0]][0] > MAX_PARAGRAPH:
            pieces = _line_chunks(norm, lines, g)  # at the source's line breaks first
        for piece in pieces:
            a, b = lines[piece[0]][0], lines[piece[-1]][1]
            name = names[piece[0]] if names[piece[0]] in choice.taken else None
            m = SPEAKER.match(norm[a:b]) if name else None
            text_start = a + m.end() if m else a
            bounds = _sentence_chunks(norm, text_start, b) if b - a > MAX_PARAGRAPH else [(text_start, b)]
            for k, (x, y) in enumerate(bounds):
                first = k == 0
                out.paragraphs.append(Paragraph(a if first else x, y, name if first else None, x))
    out.split_long = len({id(g) for g in groups if lines[g[-1]][1] - lines[g[0]][0] > MAX_PARAGRAPH})
    return out


def _line_chunks(norm: str, lines: list[tuple[int, int]], group: list[int]) -> list[list[int]]:
    """A long block's lines in runs of at most MAX_PARAGRAPH characters, cut after a line that ends
    a sentence where one is near the limit (a hard-wrapped paragraph is not cut mid-sentence)."""
    out: list[list[int]] = []
    run: list[int] = []
    for i in group:
        if run and lines[i][1] - lines[run[0]][0] > MAX_PARAGRAPH:
            ends = [k for k, j in enumerate(run) if norm[lines[j][1] - 1] in ".?!…\"'”"]
            cut = ends[-1] + 1 if ends and ends[-1] + 1 >= len(run) // 2 else len(run)
            out.append(run[:cut])
            run = run[cut:]
        run.append(i)
    if run:
        out.append(run)
    return out


def _sentence_chunks(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """[a, b) cut into pieces of at most MAX_PARAGRAPH characters, at sentence ends where there are any."""
    out = []
    while b - a > MAX_PARAGRAPH:
        window = text[a : a + MAX_PARAGRAPH]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
        cut = cut + 1 if cut > MAX_PARAGRAPH // 4 else window.rfind(" ")
        if cut <= 0:
            cut = MAX_PARAGRAPH
        out.append((a, a + len(text[a : a + cut].rstrip())))
        a += cut
        while a < b and text[a].isspace():
            a += 1
    out.append((a, b))
    return out


def _declared(description: str) -> dict[str, str]:
    """Labels our own export declares in the source description ('Speakers: I = interviewer, …')."""
    ours: dict[str, str] = {}
    m = OUR_SPEAKERS.search(description or "")
    if m:
        for pair in m["pairs"].split(","):
            if "=" in pair:
                lbl, role = (x.strip() for x in pair.split("=", 1))
                if LABEL_OK.fullmatch(lbl) and role:
                    ours[lbl] = role
    return ours


def _assign(names: list[str]) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Source names → labels: the interviewer I, others R, R2, … (names are personal data, not written)."""
    if not names:
        return {}, {}, []
    guess = [n for n in names if INTERVIEWER_NAMES.match(n)]
    notes = []
    if guess:
        interviewer: str | None = guess[0]
    elif len(names) == 1:
        interviewer = None  # one voice only: a respondent (a monologue, or answers without questions)
    else:
        interviewer = names[0]
        notes.append("took the first speaker as the interviewer (I) in {source}; check the labels")
    mapping = {interviewer: "I"} if interviewer is not None else {}
    k = 0
    for n in names:
        if n not in mapping:
            k += 1
            mapping[n] = "R" if k == 1 else f"R{k}"
    roles = {lbl: ("interviewer" if lbl == "I" else "respondent") for lbl in mapping.values()}
    return mapping, roles, notes


def collapse(text: str) -> tuple[str, Sequence[int]]:
    """Whitespace collapsed as transcripts store it, and a map from each index of `text` to the result.

    A whitespace run maps to where its single space goes. Text that is already collapsed (the
    usual case) maps onto itself without building a table.
    """
    joined = " ".join(text.split())
    if joined == text:
        return text, range(len(text) + 1)
    out: list[str] = []
    mapping: list[int] = []
    pending = False
    for ch in text:
        if ch.isspace():
            pending = bool(out)
            mapping.append(len(out))
            continue
        if pending:
            out.append(" ")
            pending = False
        mapping.append(len(out))
        out.append(ch)
    mapping.append(len(out))
    return "".join(out), mapping
