"""From a source text and its selection offsets to paragraphs, speakers and segment-relative spans.

Offset models differ between tools (spec: code points; NVivo: UTF-16 units, counting CRLF as two;
ATLAS.ti: code points over LF-normalised text; a BOM sometimes counted). We try each model and
keep the one whose selections start and end on word boundaries most often.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from grondmotief.importers import INTERVIEWER_NAMES

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
@dataclass
class Paragraph:
    start: int  # in the normalised text: the paragraph, label included
    end: int
    speaker: str | None  # the name as written in the source
    text_start: int  # where the words after the label begin


def split_paragraphs(norm: str) -> tuple[list[Paragraph], str]:
    """Paragraphs of a normalised text and the mode used ('lines' or 'blocks').

    Blocks (blank-line separated) when the text is hard-wrapped: blank lines occur and the lines
    that continue a paragraph are short and do not start with a speaker label. Else one paragraph
    per non-empty line.
    """
    lines: list[tuple[int, int]] = []
    pos = 0
    for chunk in norm.split("\n"):
        lines.append((pos, pos + len(chunk)))
        pos += len(chunk) + 1
    spans = [(a, b) for a, b in lines if norm[a:b].strip()]
    blank_breaks = single = wrapped = 0
    prev_end = None
    for a, b in spans:
        if prev_end is not None:
            gap = norm[prev_end:a]
            if gap.count("\n") >= 2:
                blank_breaks += 1
            else:
                single += 1
                if not SPEAKER.match(norm[a:b].lstrip()) and prev_end - _line_start(norm, prev_end) <= 100:
                    wrapped += 1
        prev_end = b
    blocks = blank_breaks > 0 and single > 0 and wrapped >= 0.8 * single
    groups: list[list[tuple[int, int]]] = []
    prev_end = None
    for a, b in spans:
        new = (
            prev_end is None
            or not blocks
            or norm[prev_end:a].count("\n") >= 2
            or bool(SPEAKER.match(norm[a:b].lstrip()))
        )
        if new:
            groups.append([(a, b)])
        else:
            groups[-1].append((a, b))
        prev_end = b
    paras = []
    for g in groups:
        a, b = g[0][0], g[-1][1]
        seg = norm[a:b]
        a += len(seg) - len(seg.lstrip())
        b -= len(seg) - len(seg.rstrip())
        m = SPEAKER.match(norm[a:b])
        paras.append(Paragraph(a, b, m["name"].strip() if m else None, a + m.end() if m else a))
    return paras, "blocks" if blocks else "lines"


def _line_start(text: str, i: int) -> int:
    return text.rfind("\n", 0, i) + 1


def speaker_labels(paras: list[Paragraph], description: str) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(source name → label, label → role, notes). Names used once only are not taken as speakers.

    Our own exports say 'Speakers: I = interviewer, R = respondent' in the source description,
    and those labels are kept. Otherwise the interviewer becomes I and others R, R2, … (names
    are personal data and are not written).
    """
    counts = Counter(p.speaker for p in paras if p.speaker)
    ours: dict[str, str] = {}
    m = OUR_SPEAKERS.search(description or "")
    if m:
        for pair in m["pairs"].split(","):
            if "=" in pair:
                lbl, role = (x.strip() for x in pair.split("=", 1))
                if LABEL_OK.fullmatch(lbl) and role:
                    ours[lbl] = role
    if ours:
        # Our own export: exactly the labels the transcript declared; anything else is text.
        return {n: n for n in counts if n in ours}, dict(ours), []
    names = [n for n in dict.fromkeys(p.speaker for p in paras if p.speaker) if counts[n] >= 2]
    if not names or sum(counts[n] for n in names) < 0.3 * len(paras):
        return {}, {}, []
    # In a labelled transcript a speaker may say one thing only; take such names when they look like one.
    names = [n for n in dict.fromkeys(p.speaker for p in paras if p.speaker) if counts[n] >= 2 or _name_like(n)]
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


def _name_like(name: str) -> bool:
    words = name.split()
    return 0 < len(words) <= 3 and (name[0].isupper() or name[0].isdigit()) and not re.search(r"[,.;!?\"()]", name)


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
