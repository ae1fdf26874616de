"""REFI-QDA export: a project (.qdpx = project.qde + sources/<GUID>.txt) or a codebook (.qdc).

What goes where:
- codes → Code (nested as in the codebook; name = label, colour, Description = definition plus
  a readable trailer with include/exclude/examples/keywords/attributes and the code id, which
  our importer reads back); groups → Sets of codes;
- coders → Users; each accepted decision → a PlainTextSelection per coded piece (one per coder
  and text range, so a decision with several pieces gives several) with one Coding per code;
  memos → Notes referenced from the Coding of the decision's first piece;
- transcripts → TextSource with the body as plain text (speaker labels kept, so it reads as a
  transcript): UTF-8 without BOM, LF line ends; offsets are code points into exactly that text;
- transcripts → Cases (name = id, Description = title) with attributes as Variables.
Rejected decisions, suggestion scores and sources, keyword patterns have no place in REFI-QDA
and are left out. GUIDs are uuid5 over study-local keys and the zip is written with fixed
timestamps and sorted entries, so the same study gives byte-identical files.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from grondmotief import __version__
from grondmotief.core.errors import GrondmotiefError
from grondmotief.core.fileio import atomic_write_bytes
from grondmotief.interop.refi_common import (
    CODEBOOK_NS,
    CODEBOOK_SCHEMA_URL,
    PROJECT_NS,
    PROJECT_SCHEMA_URL,
    XSI_NS,
    guid,
    validate_xml,
)
from grondmotief.study.codebook import Code, Codebook
from grondmotief.study.codings import NONE_CODE, Decision
from grondmotief.study.folder import Study
from grondmotief.study.transcripts import Transcript

ORIGIN = f"grondmotief {__version__}"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


# --------------------------------------------------------------------------- shared text model
def source_text(t: Transcript) -> tuple[str, int]:
    """The exported plain text of a transcript and how many leading characters were dropped.

    The body as written (speaker labels included), leading blank lines removed, ending in one LF.
    A segment's text starts at `segment.start - shift` in it.
    """
    body = t.body
    stripped = body.lstrip()
    shift = len(body) - len(stripped)
    return stripped.rstrip() + "\n", shift


def describe_code(code: Code) -> str:
    """Definition, then a trailer our importer reads back (other tools show it as plain text)."""
    spec = code.spec
    parts = [spec.definition.strip()] if spec.definition.strip() else []
    trailer: list[str] = []
    for title, items in (("Include", spec.include), ("Exclude", spec.exclude), ("Examples", spec.examples)):
        if items:
            trailer.append(f"{title}:")
            trailer += [f"- {' '.join(str(i).split())}" for i in items]
    if spec.keywords:
        trailer.append("Keywords: " + ", ".join(spec.keywords))
    if spec.attributes:
        trailer.append("Attributes: " + ", ".join(f"{k}={v}" for k, v in spec.attributes.items()))
    trailer.append(f"Id: {code.id}")
    parts.append("\n".join(trailer))
    return "\n\n".join(parts)


def _el(
    parent: ET.Element, tag: str, ns: str, attrs: Mapping[str, str | None] | None = None, text: str | None = None
) -> ET.Element:
    # Elements are written unqualified under a literal default xmlns on the root (ElementTree's
    # default_namespace option refuses unqualified attributes, which REFI-QDA requires).
    e = ET.SubElement(parent, tag, {k: v for k, v in (attrs or {}).items() if v is not None})
    if text is not None:
        e.text = text
    return e


def _codes(parent: ET.Element, cb: Codebook, ns: str) -> None:
    codes_el = _el(parent, "Codes", ns)

    def add(into: ET.Element, cid: str) -> None:
        c = cb.codes[cid]
        attrs = {"guid": guid("code", cid), "name": c.label, "isCodable": "true"}
        if c.spec.color:
            attrs["color"] = c.spec.color.lower()
        el = _el(into, "Code", ns, attrs)
        _el(el, "Description", ns, text=describe_code(c))
        for ch in c.children:
            add(el, ch)

    for cid in cb.top_level():
        add(codes_el, cid)


def _sets(parent: ET.Element, cb: Codebook, ns: str, member_attr: str) -> None:
    groups = [g for g in cb.groups if any(cb.codes[c].group == g for c in cb.order)]
    if not groups:
        return
    sets_el = _el(parent, "Sets", ns)
    for gid in groups:
        g = cb.groups[gid]
        s = _el(sets_el, "Set", ns, {"guid": guid("group", gid), "name": g.label})
        desc = (g.description.strip() + "\n\n" if g.description.strip() else "") + f"Id: {gid}"
        _el(s, "Description", ns, text=desc)
        for cid in cb.order:
            if cb.codes[cid].group == gid:
                _el(s, "MemberCode", ns, {member_attr: guid("code", cid)})


def _root(tag: str, ns: str, schema_url: str, attrs: dict[str, str]) -> ET.Element:
    return ET.Element(tag, {"xmlns": ns, "xmlns:xsi": XSI_NS, **attrs, "xsi:schemaLocation": f"{ns} {schema_url}"})


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


# --------------------------------------------------------------------------- codebook (.qdc)
def codebook_xml(study: Study) -> bytes:
    cb = study.codebook
    root = _root("CodeBook", CODEBOOK_NS, CODEBOOK_SCHEMA_URL, {"origin": ORIGIN})
    _codes(root, cb, CODEBOOK_NS)
    _sets(root, cb, CODEBOOK_NS, "guid")
    return _xml_bytes(root)


# --------------------------------------------------------------------------- project (.qdpx)
@dataclass
class Selection:
    coder: str
    tid: str
    start: int
    end: int
    segment: str
    decisions: list[Decision] = field(default_factory=list)
    pieces: dict[int, int] = field(default_factory=dict)  # id(decision) → which of its pieces this is


def _variable_type(values: list[object]) -> str:
    if all(isinstance(v, bool) for v in values):
        return "Boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "Integer"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "Float"
    return "Text"


def _value_el(vv: ET.Element, kind: str, value: object) -> None:
    if kind == "Boolean":
        _el(vv, "BooleanValue", PROJECT_NS, text="true" if value else "false")
    elif kind == "Integer":
        _el(vv, "IntegerValue", PROJECT_NS, text=str(value))
    elif kind == "Float":
        _el(vv, "FloatValue", PROJECT_NS, text=format(float(value), "f").rstrip("0").rstrip(".") or "0")  # type: ignore[arg-type]
    elif kind == "Date":
        _el(vv, "DateValue", PROJECT_NS, text=str(value))
    else:
        _el(vv, "TextValue", PROJECT_NS, text=str(value))


@dataclass
class ProjectFiles:
    qde: bytes
    sources: dict[str, bytes]  # file name in sources/ → bytes
    notes: list[str]


def build_project(study: Study, coders: list[str] | None = None, name: str | None = None) -> ProjectFiles:
    ns = PROJECT_NS
    cb = study.codebook
    transcripts = dict(sorted(study.transcripts.items()))
    notes: list[str] = []
    anchored = [a for a in study.decisions(coders) if a.status != "orphan"]
    rejected = sum(1 for a in anchored if a.decision.decision == "rejected")
    accepted = [
        a.decision if a.new_segment is None else a.decision.model_copy(update={"segment": a.new_segment})
        for a in anchored
        if a.decision.decision == "accepted"
    ]
    decisions = sorted((d for d in accepted if d.code in cb.codes), key=lambda d: (d.coder, *d.sort_key()))
    code_rank = {cid: i for i, cid in enumerate(cb.order)}
    texts = {tid: source_text(t) for tid, t in transcripts.items()}
    for tid, (text, _) in texts.items():
        if not text.isascii() and len(text.encode("utf-16-le")) != 2 * len(text):
            notes.append(
                f"{tid}: has characters outside the Basic Multilingual Plane (emoji); tools that count "
                "UTF-16 units (NVivo) may shift selections after them"
            )

    selections: dict[tuple[str, str, int, int], Selection] = {}
    for d in decisions:
        seg = study.segment(d.segment)
        _, shift = texts[seg.transcript]
        # One selection per coded piece: a decision with several pieces gives several selections,
        # each carrying a Coding of the code, as the tools that made them do.
        for piece, (lo, hi) in enumerate(d.ranges or [(0, len(seg.text))]):
            lo, hi = min(lo, len(seg.text)), min(hi, len(seg.text))
            start, end = seg.start - shift + lo, seg.start - shift + hi
            key = (d.coder, seg.transcript, start, end)
            sel = selections.setdefault(key, Selection(d.coder, seg.transcript, start, end, seg.id))
            sel.decisions.append(d)
            sel.pieces[id(d)] = piece
    users = sorted({d.coder for d in decisions} | set(coders or []))

    attrs = {"name": name or study.root.name, "origin": ORIGIN}
    if decisions:
        latest = max(d.at for d in decisions)
        attrs |= {"creationDateTime": latest, "modifiedDateTime": latest}
    root = _root("Project", ns, PROJECT_SCHEMA_URL, attrs)
    if users:
        users_el = _el(root, "Users", ns)
        for u in users:
            _el(users_el, "User", ns, {"guid": guid("user", u), "name": u, "id": u})
    if cb.order:
        _codes(_el(root, "CodeBook", ns), cb, ns)

    # Variables: transcript attributes (typed when every value agrees) and the interview date.
    keys = sorted({k for t in transcripts.values() for k, v in t.attributes.items() if v is not None})
    var_types = {
        k: _variable_type([t.attributes[k] for t in transcripts.values() if t.attributes.get(k) is not None])
        for k in keys
    }
    if any(t.meta.interviewed for t in transcripts.values()) and "interviewed" not in var_types:
        var_types["interviewed"] = "Date"
    if var_types:
        vars_el = _el(root, "Variables", ns)
        for k in sorted(var_types):
            _el(vars_el, "Variable", ns, {"guid": guid("variable", k), "name": k, "typeOfVariable": var_types[k]})
    if transcripts:
        cases_el = _el(root, "Cases", ns)
        for tid, t in transcripts.items():
            case = _el(cases_el, "Case", ns, {"guid": guid("case", tid), "name": tid})
            if t.meta.title:
                _el(case, "Description", ns, text=t.meta.title)
            values: dict[str, object] = {k: v for k, v in t.attributes.items() if v is not None}
            if "interviewed" in var_types and var_types["interviewed"] == "Date" and t.meta.interviewed:
                values["interviewed"] = (
                    t.meta.interviewed.isoformat() if isinstance(t.meta.interviewed, date) else t.meta.interviewed
                )
            for k in sorted(values):
                vv = _el(case, "VariableValue", ns)
                _el(vv, "VariableRef", ns, {"targetGUID": guid("variable", k)})
                _value_el(vv, var_types[k], values[k])
            _el(case, "SourceRef", ns, {"targetGUID": guid("source", tid)})

    note_items: list[tuple[str, str, str, str | None, str | None]] = []  # guid, name, text, user, time
    sources: dict[str, bytes] = {}
    by_transcript: dict[str, list[Selection]] = defaultdict(list)
    for sel in selections.values():
        by_transcript[sel.tid].append(sel)
    if transcripts:
        sources_el = _el(root, "Sources", ns)
        for tid, t in transcripts.items():
            sguid = guid("source", tid)
            file_name = f"{sguid}.txt"
            text, _ = texts[tid]
            sources[file_name] = text.encode("utf-8")
            src = _el(
                sources_el, "TextSource", ns, {"guid": sguid, "name": tid, "plainTextPath": f"internal://{file_name}"}
            )
            speakers = ", ".join(f"{lbl} = {role}" for lbl, role in t.meta.speakers.items())
            _el(src, "Description", ns, text=f"Speakers: {speakers}")
            for sel in sorted(by_transcript.get(tid, []), key=lambda s: (s.start, s.end, s.coder)):
                user = guid("user", sel.coder)
                first = min(d.at for d in sel.decisions)
                sel_el = _el(
                    src,
                    "PlainTextSelection",
                    ns,
                    {
                        "guid": guid("selection", f"{sel.coder}:{tid}:{sel.start}:{sel.end}"),
                        "name": sel.segment,
                        "startPosition": str(sel.start),
                        "endPosition": str(sel.end),
                        "creatingUser": user,
                        "creationDateTime": first,
                    },
                )
                for d in sorted(sel.decisions, key=lambda d: code_rank[d.code]):
                    dkey = f"{d.coder}:{d.segment}:{d.code}"
                    piece = sel.pieces[id(d)]
                    coding = _el(
                        sel_el,
                        "Coding",
                        ns,
                        {
                            "guid": guid("coding", dkey if piece == 0 else f"{dkey}:{piece}"),
                            "creatingUser": user,
                            "creationDateTime": d.at,
                        },
                    )
                    _el(coding, "CodeRef", ns, {"targetGUID": guid("code", d.code)})
                    if d.memo.strip() and piece == 0:  # the memo once, on the decision's first piece
                        nguid = guid("memo", dkey)
                        _el(coding, "NoteRef", ns, {"targetGUID": nguid})
                        note_items.append((nguid, f"Memo {d.coder} {d.segment} {d.code}", d.memo, user, d.at))
            if t.meta.notes.strip():
                nguid = guid("transcript-note", tid)
                _el(src, "NoteRef", ns, {"targetGUID": nguid})
                note_items.append((nguid, f"Notes {tid}", t.meta.notes, None, None))
    if note_items:
        notes_el = _el(root, "Notes", ns)
        for nguid, nname, ntext, author, when in note_items:
            note = _el(
                notes_el, "Note", ns, {"guid": nguid, "name": nname, "creatingUser": author, "creationDateTime": when}
            )
            _el(note, "PlainTextContent", ns, text=ntext)
    _sets(root, cb, ns, "targetGUID")
    if rejected:
        notes.append(f"{rejected} rejected decision(s) are not exported (REFI-QDA has no place for them)")
    nothing = sum(1 for d in accepted if d.code == NONE_CODE)
    if nothing:
        notes.append(f"{nothing} 'nothing applies' decision(s) are not exported (REFI-QDA has no place for them)")
    return ProjectFiles(_xml_bytes(root), dict(sorted(sources.items())), notes)


def zip_project(files: ProjectFiles) -> bytes:
    """A deterministic .qdpx: fixed timestamps and permissions, sorted entries."""
    buf = io.BytesIO()
    entries = {"project.qde": files.qde} | {f"sources/{n}": b for n, b in files.sources.items()}
    with zipfile.ZipFile(buf, "w") as zf:
        for entry in sorted(entries):
            info = zipfile.ZipInfo(entry, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, entries[entry])
    return buf.getvalue()


def export_qdpx(
    study: Study, output: Path, *, coders: list[str] | None = None, name: str | None = None, validate: bool = False
) -> list[str]:
    files = build_project(study, coders, name)
    if validate:
        _check(files.qde, "project", "project.qde")
    atomic_write_bytes(output, zip_project(files))
    return files.notes + _flagged_note(study)


def _flagged_note(study: Study) -> list[str]:
    """Whole transcripts go out as written, so say how many passages the personal-data scan flags."""
    from grondmotief.privacy.detector import scan_text

    privacy = study.settings.privacy
    n = sum(1 for t in study.transcripts.values() for seg in t.segments if scan_text(seg.text, privacy))
    if not n:
        return []
    return [
        f"the export carries {n} passage(s) that may contain personal data (whole transcripts are exported as "
        "written); `grondmotief check` lists them"
    ]


def export_qdc(study: Study, output: Path, *, validate: bool = False) -> list[str]:
    data = codebook_xml(study)
    if validate:
        _check(data, "codebook", output.name)
    atomic_write_bytes(output, data)
    return []


def _check(data: bytes, kind: str, label: str) -> None:
    problems = validate_xml(data, kind)
    if problems:
        shown = problems[:20]
        raise GrondmotiefError(
            f"{label} does not validate against the REFI-QDA {kind} schema "
            f"({len(problems)} problem(s)); nothing was written:\n  " + "\n  ".join(shown)
        )
