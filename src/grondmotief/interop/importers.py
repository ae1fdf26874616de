"""Turn .docx, .txt, .vtt, .srt (and .md in another encoding) into transcripts.

Speaker names in the source become labels (I for the interviewer, R, R2, … for respondents);
the names themselves are not written, since they are personal data.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from grondmotief.core.errors import ImportFailed, Problem
from grondmotief.core.fileio import atomic_write_text, decode_text, normalise_newlines
from grondmotief.interop.speakers import SpeakerChoice, choose_speakers
from grondmotief.study.transcripts import CONTROL, TRANSCRIPT_ID, FrontMatter, parse_transcript, render_transcript

TEXT_FORMATS = {".txt", ".vtt", ".srt", ".docx", ".md"}
MAX_DOCX_UNPACKED = 200 * 1024 * 1024
MAX_DOCX_RATIO = 200
INTERVIEWER_NAMES = re.compile(
    r"^(i|int|interviewer|interviewster|interviewee?r|onderzoeker|vraagsteller|q)\b", re.IGNORECASE
)
TIMESTAMP = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
# "Name: text", "Name (00:01:02): text", "[00:01] Name: text"
NAMED_LINE = re.compile(
    rf"^\s*(?:\[?{TIMESTAMP}\]?\s*)?(?P<name>[^\s:\[\]()<>][^:\[\]()<>]{{0,38}}?)\s*(?:[(\[]{TIMESTAMP}[)\]])?\s*:\s+(?P<text>.*)$"
)
# Otter/Teams style: a line with only "Name  0:03" before the words.
NAME_TIME_LINE = re.compile(rf"^\s*(?P<name>[^\s:][^:]{{0,38}}?)\s+{TIMESTAMP}\s*$")
LEADING_TIME = re.compile(rf"^\s*[\[(]?{TIMESTAMP}[\])]?\s*[-–]?\s*")
CUE_TIMING = re.compile(rf"^\s*(?:{TIMESTAMP}|\d{{2}}:\d{{2}}:\d{{2}}[.,]\d{{3}})\s*-->\s*")
VOICE = re.compile(r"<v(?:\.[^ >]*)?\s+(?P<name>[^>]+)>")
TAG = re.compile(r"</?[^>]{1,40}>")


@dataclass
class Turns:
    """Speaker turns in order of appearance, speaker as named in the source (or None)."""

    items: list[tuple[str | None, str]] = field(default_factory=list)
    choice: SpeakerChoice | None = None  # which `Word:` prefixes were taken as speakers
    timestamps: int = 0  # timestamps removed

    def add(self, speaker: str | None, text: str, new: bool = False) -> None:
        """Consecutive text of one speaker is one turn; `new` starts a paragraph regardless."""
        text = " ".join(text.split())
        if not text:
            return
        if self.items and self.items[-1][0] == speaker and not new:
            self.items[-1] = (speaker, self.items[-1][1] + " " + text)
        else:
            self.items.append((speaker, text))


def _looks_like_name(name: str) -> bool:
    words = name.split()
    return (
        0 < len(words) <= 4
        and not name.rstrip().endswith((".", "?", "!", ","))
        and not any(w.isdigit() for w in words[1:])
    )


def parse_lines(lines: list[str]) -> Turns:
    """Plain lines (txt, docx paragraphs): 'Name: text' starts a turn; other lines continue it.

    A prefix is a speaker only when a few of them recur as turns (grondmotief.interop.speakers); other
    `Word:` line starts stay text. Without speakers, paragraphs are the source's: its blank-line
    blocks, or its lines when it has no blank lines at all.
    """
    rows = [raw.strip() for raw in lines]
    filled = [i for i, r in enumerate(rows) if r]
    blank_before = {i for k, i in enumerate(filled) if k > 0 and i - filled[k - 1] > 1}
    candidates = []
    for i in filled:
        m = NAMED_LINE.match(rows[i])
        if m and _looks_like_name(m["name"]) and not NAME_TIME_LINE.match(rows[i]):
            candidates.append(m["name"].strip())
    units = 1 + len(blank_before) if blank_before else len(filled)
    choice = choose_speakers(candidates, units)
    turns = Turns(choice=choice)
    speaker: str | None = None
    for i in filled:
        line = rows[i]
        m = NAME_TIME_LINE.match(line)
        if m and _looks_like_name(m["name"]):
            speaker = m["name"].strip()
            turns.timestamps += 1
            continue
        m = NAMED_LINE.match(line)
        if m and m["name"].strip() in choice.taken:
            speaker = m["name"].strip()
            turns.add(speaker, m["text"])
            continue
        # Text without a speaker keeps the source's paragraphs; a speaker's lines make one turn.
        new = speaker is None and (i in blank_before or not blank_before)
        stripped = LEADING_TIME.sub("", line)
        turns.timestamps += stripped != line
        turns.add(speaker, stripped, new=new)
    return turns


def parse_captions(text: str) -> Turns:
    """WebVTT or SubRip: drop numbering and timings, keep voices, merge one speaker's cues."""
    cue_lines: list[tuple[str | None, str]] = []  # (voice, text) per caption line
    for block in re.split(r"\n\s*\n", normalise_newlines(text).strip()):
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if not lines or lines[0].strip().startswith(("WEBVTT", "NOTE", "STYLE", "REGION")):
            continue
        body_lines: list[str] = []
        timed = False
        for ln in lines:
            if CUE_TIMING.match(ln):
                timed = True
                body_lines = []
                continue
            body_lines.append(ln)
        if not timed:
            continue
        for ln in body_lines:
            v = VOICE.search(ln)
            cue_lines.append((v["name"].strip() if v else None, TAG.sub("", VOICE.sub("", ln)).strip()))
    candidates = []
    for _, ln in cue_lines:
        m = NAMED_LINE.match(ln)
        if m and _looks_like_name(m["name"]):
            candidates.append(m["name"].strip())
    choice = choose_speakers(candidates, len(cue_lines))
    turns = Turns(choice=choice)
    speaker: str | None = None
    for voice, ln in cue_lines:
        speaker = voice or speaker
        m = NAMED_LINE.match(ln)
        if m and m["name"].strip() in choice.taken:
            speaker = m["name"].strip()
            ln = m["text"]
        elif ln.startswith("- "):
            ln = ln[2:]
        turns.add(speaker, ln)
    return turns


def read_docx(path: Path, label: str) -> list[str]:
    if not zipfile.is_zipfile(path):
        raise ImportFailed(f"{label}: not a .docx file (a .docx is a zip archive; this is not one)")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if len(infos) > 5000 or total > MAX_DOCX_UNPACKED or total / packed > MAX_DOCX_RATIO:
                raise ImportFailed(
                    f"{label}: refused: it would unpack to {total / 1e6:.0f} MB ({len(infos)} parts), "
                    "which looks like a zip bomb, not a Word document"
                )
            if "word/document.xml" not in zf.namelist():
                raise ImportFailed(f"{label}: a zip archive, but not a Word document (no word/document.xml)")
    except zipfile.BadZipFile:
        raise ImportFailed(f"{label}: damaged .docx (bad zip archive)") from None
    except NotImplementedError:  # a zip "version needed" or compression method Python cannot read
        raise ImportFailed(f"{label}: damaged .docx (a zip feature Word files do not use)") from None
    try:
        import docx  # python-docx

        document = docx.Document(str(path))
        return [p.text for p in document.paragraphs]  # reading paragraphs parses more of the file
    except ImportFailed:
        raise
    except Exception as exc:  # python-docx raises many kinds on a damaged file
        raise ImportFailed(
            f"{label}: could not read the Word document: {_docx_problem(exc)}; "
            "open it in Word or LibreOffice and save it again as .docx"
        ) from None


def _docx_problem(exc: Exception) -> str:
    """What a python-docx failure means for the file, instead of the exception's class name."""
    name = type(exc).__name__
    if isinstance(exc, KeyError):
        return "a part it refers to is missing from the archive (damaged or incomplete)"
    if name == "XMLSyntaxError":
        line = getattr(exc, "lineno", None)
        return "the XML inside is damaged (not well-formed" + (f" at line {line} of a part)" if line else ")")
    if isinstance(exc, zipfile.BadZipFile | EOFError) or name == "error":  # zlib.error: corrupt compressed data
        return "its compressed contents are damaged"
    if name == "PackageNotFoundError" or "content type" in str(exc).lower():
        return "it is not a Word document inside (wrong content types)"
    return "its contents are not what a .docx holds"


NOTE_LABEL = "N"  # paragraphs before the first speaker label: a note or the interviewer's, not coded


def assign_labels(
    turns: Turns, interviewer: str | None = None, *, show_names: bool = False
) -> tuple[list[tuple[str, str]], dict[str, str], list[str]]:
    """Map source speakers to labels: interviewer → I, others → R, R2, R3 …

    Notes and errors give roles and counts, not the speakers' names (they are personal data and
    import output lands in CI logs), unless `show_names`.
    Text before the first speaker label gets N (role `note`, not coded). One named speaker and
    no interviewer named: that speaker is the respondent (a monologue, or answers without the
    questions), not the interviewer.
    """
    notes: list[str] = []
    names = []
    for name, _ in turns.items:
        if name is not None and name not in names:
            names.append(name)
    if turns.choice is not None and turns.choice.kept and not names:
        notes.append(turns.choice.note())
    if not names:
        notes.append(
            f"no speaker turns found: each of the {len(turns.items)} paragraph(s) is labelled R (respondent); "
            "mark the interviewer's by changing 'R: ' to 'I: ' in the transcript"
        )
        return [("R", text) for _, text in turns.items], {"I": "interviewer", "R": "respondent"}, notes
    interviewer_name: str | None
    if interviewer is not None:
        chosen = [n for n in names if n.lower() == interviewer.lower()]
        if not chosen:
            listed = f"speakers: {', '.join(names)}" if show_names else "--show-names lists them"
            raise ImportFailed(
                f"--interviewer matches none of the {len(names)} speaker name(s) in this file ({listed})"
            )
        interviewer_name = chosen[0]
    else:
        guess = [n for n in names if INTERVIEWER_NAMES.match(n)]
        if guess:
            interviewer_name = guess[0]
        elif len(names) == 1:
            interviewer_name = None
            notes.append("one speaker only, taken as the respondent (R); use --interviewer NAME if that is wrong")
        else:
            interviewer_name = names[0]
            who = f" ('{interviewer_name}')" if show_names else ""
            notes.append(
                f"took the first speaker{who} as the interviewer (I); use --interviewer NAME if that is wrong"
                + ("" if show_names else " (--show-names shows the names)")
            )
    mapping = {interviewer_name: "I"} if interviewer_name is not None else {}
    k = 0
    for n in names:
        if n not in mapping:
            k += 1
            mapping[n] = "R" if k == 1 else f"R{k}"
    speakers = {"I": "interviewer"} | {lbl: "respondent" for lbl in mapping.values() if lbl != "I"}
    opening = sum(1 for n, _ in turns.items if n is None)
    if opening:
        speakers[NOTE_LABEL] = "note"
        notes.append(
            f"{opening} paragraph(s) before the first speaker label are labelled {NOTE_LABEL} (a note: kept, "
            f"not coded); if they are the interviewer's, change '{NOTE_LABEL}: ' to 'I: '"
        )
    labelled = [(mapping[n] if n is not None else NOTE_LABEL, text) for n, text in turns.items]
    if turns.choice is not None:
        counts = Counter(lbl for lbl, _ in labelled if lbl != NOTE_LABEL)
        name_of = {lbl: n for n, lbl in mapping.items()}
        notes.append(
            "speakers: "
            + ", ".join(
                (f"{name_of[lbl]} → " if show_names else "")
                + f"{lbl} ({speakers.get(lbl, 'respondent')}, {counts[lbl]} turn{'s' if counts[lbl] != 1 else ''})"
                for lbl in dict.fromkeys(mapping.values())
            )
            + (
                f"; {turns.choice.kept} line(s) starting with a word and ':' are not speaker turns and were kept as text"
                if turns.choice.kept
                else ""
            )
        )
    return labelled, speakers, notes


def slug(stem: str) -> str:
    s = re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-_")
    return s[:64] or "transcript"


@dataclass
class ImportOptions:
    id: str | None = None
    title: str | None = None
    attributes: dict[str, str | int | float | bool | None] = field(default_factory=dict)
    interviewed: date | None = None
    interviewer: str | None = None
    encoding: str | None = None
    force: bool = False
    show_names: bool = False


def convert(path: Path, opts: ImportOptions, label: str | None = None) -> tuple[str, str, list[str]]:
    """(transcript id, Markdown text, notes) for one source file; nothing written."""
    label = label or str(path)
    ext = path.suffix.lower()
    if ext not in TEXT_FORMATS:
        raise ImportFailed(
            f"{label}: cannot import '{ext or 'no extension'}' files (supported: .docx .txt .vtt .srt .md .qdpx .qdc)"
        )
    tid = opts.id or slug(path.stem)
    if not TRANSCRIPT_ID.fullmatch(tid):
        raise ImportFailed(f"{label}: '{tid}' is not a valid transcript id (letters, digits, - and _)")
    decode_notes: list[str] = []
    if ext == ".docx":
        turns = parse_lines(read_docx(path, label))
    else:
        text, decode_notes = _decode(path, label, opts.encoding)
        if ext == ".md":
            tid, md, md_notes = _convert_md(text, path, opts.id, label, opts)
            return tid, md, decode_notes + md_notes
        turns = parse_captions(text) if ext in (".vtt", ".srt") else parse_lines(text.split("\n"))
    if not turns.items:
        raise ImportFailed(f"{label}: no text found to import")
    labelled, speakers, notes = assign_labels(turns, opts.interviewer, show_names=opts.show_names)
    notes = decode_notes + notes
    if turns.timestamps:
        notes.append(f"{turns.timestamps} timestamp(s) removed")
    controls = sum(len(CONTROL.findall(text)) for _, text in labelled)
    if controls:
        notes.append(f"{controls} control character(s) replaced by spaces")
    meta = FrontMatter(
        id=tid,
        title=opts.title or path.stem,
        attributes=opts.attributes,
        interviewed=opts.interviewed,
        speakers=speakers,
    )
    md = render_transcript(meta, labelled)
    _verify(md, tid, label)
    return tid, md, notes


def _convert_md(text: str, path: Path, tid: str | None, label: str, opts: ImportOptions) -> tuple[str, str, list[str]]:
    # Parse under a neutral name: the front matter's own id decides the file name.
    transcript, problems = parse_transcript(text, path.with_suffix(".source"), label)
    errors = [p for p in problems if p.severity == "error"]
    if transcript is None or errors:
        raise ImportFailed(f"{label}: not a valid transcript", errors)
    if tid is not None and tid != transcript.id:
        meta = transcript.meta.model_copy(update={"id": tid})
        turns = [(s.label or "", s.text) for s in transcript.segments]
        return tid, render_transcript(meta, turns), [f"id changed from '{transcript.id}' to '{tid}'"]
    return transcript.id, text if text.endswith("\n") else text + "\n", []


LATIN1 = {"latin-1", "latin1", "iso-8859-1", "iso8859-1", "l1", "iso-8859-15", "latin-9", "iso8859-15"}
C1 = re.compile("[\x80-\x9f]")


def _decode(path: Path, label: str, encoding: str | None) -> tuple[str, list[str]]:
    """(text, notes). A latin-1 decode that yields C1 control characters (U+0080-U+009F) is really
    Windows-1252 (€ „ " ’ …): decoded as cp1252 and said so, or refused when cp1252 does not fit."""
    data = path.read_bytes()
    if encoding is not None and encoding.lower().replace("_", "-") not in (
        "utf-8",
        "utf8",
        "utf-8-sig",
        "utf-16",
        "utf16",
    ):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if any(b > 0x7F for b in data):
                # Decoding valid UTF-8 as latin-1 garbles every accent (coÃ¶rdinator): refuse.
                raise ImportFailed(f"{label}: is already valid UTF-8; --encoding {encoding} would garble its accents")
    if encoding is None:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            encoding = "utf-16"
        else:
            hint = (
                "Name the encoding: `grondmotief import --encoding {encoding} {file}` (Windows and Word write cp1252)."
            )
            return decode_text(data, label, hint=hint), []
    try:
        text = data.decode(encoding).lstrip("\ufeff")
    except LookupError:
        raise ImportFailed(f"unknown encoding '{encoding}'") from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportFailed(f"{label}:{line}: not valid {encoding}") from None
    notes: list[str] = []
    c1 = C1.search(text)
    if c1 and encoding.lower().replace("_", "-") in LATIN1:
        n = len(C1.findall(text))
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise ImportFailed(
                f"{label}:{line}: byte 0x{data[exc.start]:02x} is a control character in {encoding} and not a "
                "character in cp1252 either; name the file's real encoding with --encoding (e.g. cp850, mac-roman)"
            ) from None
        notes.append(
            f"decoded as cp1252, not {encoding}: {n} byte(s) in 0x80-0x9F are control characters in {encoding} "
            "but € „ “ ” ’ – … in cp1252 (Windows), which is what this file is"
        )
    return normalise_newlines(text), notes


def _verify(md: str, tid: str, label: str) -> None:
    transcript, problems = parse_transcript(md, Path(f"{tid}.md"), label)
    errors = [p for p in problems if p.severity == "error"]
    if transcript is None or errors:
        raise ImportFailed(
            f"{label}: conversion produced an invalid transcript", errors or [Problem(label, None, "unknown")]
        )


def import_text_file(
    interviews_dir: Path, path: Path, opts: ImportOptions, label: str | None = None
) -> tuple[Path, list[str]]:
    tid, md, notes = convert(path, opts, label)
    target = interviews_dir / f"{tid}.md"
    if target.exists() and not opts.force:
        raise ImportFailed(
            f"interviews/{tid}.md already exists; pass --force to overwrite it, or --id to import under another id"
        )
    atomic_write_text(target, md)
    return target, notes
