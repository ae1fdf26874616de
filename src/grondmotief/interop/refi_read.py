"""Reading REFI-QDA files leniently into a small model: the container, the XML, the texts.

Tolerates what real tools write (see docs/sections/interop.md): any single `*.qde` at the archive
root, `sources/` in any case, namespaces 1.0, 1:0, 0:4 or none, a BOM and CRLF in texts, GUIDs in
braces or any case, ids that are not GUIDs. Refuses what is not a REFI-QDA file, archives whose
member names try to leave the archive, zip bombs, and XML with DTDs or entities.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grondmotief.core.errors import GrondmotiefError, ImportFailed
from grondmotief.interop.refi_common import child, children, local, namespace, norm_guid, parse_xml, text_of

MAX_MEMBERS = 20000
MAX_UNPACKED = 1024 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBER = 256 * 1024 * 1024


@dataclass
class RCode:
    guid: str  # normalised
    name: str
    description: str
    color: str | None
    codable: bool
    children: list[RCode] = field(default_factory=list)


@dataclass
class RCoding:
    code: str  # normalised GUID of the code
    user: str  # normalised GUID of the user ('' if none)
    at: str
    notes: list[str] = field(default_factory=list)  # normalised note GUIDs


@dataclass
class RSelection:
    guid: str
    start: int
    end: int
    user: str
    at: str
    description: str
    codings: list[RCoding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class RSource:
    guid: str
    name: str
    kind: str  # TextSource, PDFSource (its text representation)
    text: str | None  # decoded, BOM removed, line ends as in the file
    had_bom: bool
    description: str
    selections: list[RSelection] = field(default_factory=list)
    variables: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    whole_codings: int = 0
    missing: str = ""  # why the text could not be read


@dataclass
class RSet:
    name: str
    description: str
    members: list[str]


@dataclass
class RCase:
    name: str
    description: str
    variables: dict[str, object]
    sources: list[str]
    code_refs: int


@dataclass
class RProject:
    kind: str  # "project" or "codebook"
    origin: str
    name: str
    namespace: str
    created: str = ""  # the project's own date, the fallback for codings without one
    users: dict[str, str] = field(default_factory=dict)  # guid → name
    codes: list[RCode] = field(default_factory=list)
    sets: list[RSet] = field(default_factory=list)
    sources: list[RSource] = field(default_factory=list)
    cases: list[RCase] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # guid → text
    links: list[tuple[str, str]] = field(default_factory=list)  # (origin guid, target guid)
    dropped: dict[str, int] = field(default_factory=dict)  # what was left out → count
    repairs: list[str] = field(default_factory=list)

    def drop(self, what: str, n: int = 1) -> None:
        if n:
            self.dropped[what] = self.dropped.get(what, 0) + n


# --------------------------------------------------------------------------- container
class Archive:
    """Members of a .qdpx read into memory on demand; nothing is ever extracted to disk."""

    def __init__(self, path: Path, label: str) -> None:
        self.label = label
        try:
            self.zf = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise ImportFailed(f"{label}: not a REFI-QDA project (a .qdpx is a zip archive; this is not one)") from None
        except NotImplementedError:  # a "version needed to extract" beyond what zip readers know
            raise ImportFailed(f"{label}: damaged archive (it claims a zip version no reader supports)") from None
        if any(not i.filename.strip("/") for i in self.zf.infolist()):
            raise ImportFailed(f"{label}: refused: the archive has a member with an empty name (a damaged archive)")
        infos = [i for i in self.zf.infolist() if not i.is_dir()]
        for info in infos:
            if _unsafe_name(info.filename):
                raise ImportFailed(
                    f"{label}: refused: the archive has a member named '{info.filename}', which points "
                    "outside the archive (path traversal)"
                )
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        if len(infos) > MAX_MEMBERS or total > MAX_UNPACKED or total / packed > MAX_RATIO:
            raise ImportFailed(
                f"{label}: refused: it would unpack to {total / 1e6:.0f} MB in {len(infos)} files, "
                "which looks like a zip bomb"
            )
        self.infos = {i.filename: i for i in infos}
        self.by_lower: dict[str, str] = {}
        for name in sorted(self.infos):
            self.by_lower.setdefault(name.lower(), name)

    def qde(self) -> str:
        roots = [n for n in self.infos if "/" not in n.strip("/") and n.lower().endswith(".qde")]
        if not roots:
            raise ImportFailed(f"{self.label}: not a REFI-QDA project: no .qde file at the root of the archive")
        if len(roots) > 1:
            named = [n for n in roots if n.lower() == "project.qde"]
            if len(named) != 1:
                raise ImportFailed(
                    f"{self.label}: several .qde files at the root ({', '.join(sorted(roots))}); "
                    "a REFI-QDA project has one"
                )
            return named[0]
        return roots[0]

    def read(self, name: str) -> bytes:
        info = self.infos[name]
        if info.file_size > MAX_MEMBER:
            raise ImportFailed(f"{self.label}: member '{name}' is {info.file_size / 1e6:.0f} MB, too large to read")
        try:
            return self.zf.read(info)
        except NotImplementedError:
            raise ImportFailed(
                f"{self.label}: member '{name}' cannot be read: it is compressed with a method other than deflate"
            ) from None
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error):  # zlib.error: a corrupt deflate stream
            raise ImportFailed(
                f"{self.label}: member '{name}' cannot be read: its compressed data is damaged or its sizes are "
                "wrong; export the project again"
            ) from None

    def find_source(self, path: str) -> str | None:
        """The member for `internal://X` (or a bare file name): sources/X in any case, else X anywhere."""
        target = path.split("://", 1)[1] if "://" in path else path
        target = target.lstrip("/").replace("\\", "/")
        base = PurePosixPath(target).name.lower()
        for candidate in (f"sources/{base}", target.lower(), base):
            if candidate in self.by_lower:
                return self.by_lower[candidate]
        hits = [n for low, n in self.by_lower.items() if PurePosixPath(low).name == base]
        return hits[0] if len(hits) == 1 else None


def _unsafe_name(name: str) -> bool:
    n = name.replace("\\", "/")
    if n.startswith("/") or re.match(r"^[A-Za-z]:", n):
        return True
    return any(part == ".." for part in n.split("/"))


# --------------------------------------------------------------------------- text
def decode_source(data: bytes) -> tuple[str, bool, str]:
    """(text, had a BOM, note). UTF-8 (BOM removed), UTF-16 by BOM, else cp1252 as a last resort."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), True, ""
        except UnicodeDecodeError:
            pass
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), True, "read as UTF-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), False, ""
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), False, "not valid UTF-8; read as Windows-1252"


# --------------------------------------------------------------------------- XML → model
def read_refi(path: Path, label: str) -> RProject:
    suffix = path.suffix.lower()
    archive: Archive | None = None
    try:
        if suffix == ".qdpx" or zipfile.is_zipfile(path):
            archive = Archive(path, label)
            qde = archive.qde()
            root = parse_xml(archive.read(qde), f"{label}:{qde}")
        else:
            data = path.read_bytes()
            root = parse_xml(data, label)
    except ImportFailed:
        raise
    except GrondmotiefError as exc:
        raise ImportFailed(str(exc)) from None
    except OSError as exc:
        raise ImportFailed(f"{label}: cannot read ({exc.strerror or type(exc).__name__})") from None
    kind = local(root.tag)
    ns = namespace(root.tag)
    if kind not in ("Project", "CodeBook") or (ns and not ns.startswith("urn:QDA-XML:")):
        raise ImportFailed(
            f"{label}: not a REFI-QDA file (root element '{kind}'"
            + (f" in namespace {ns}" if ns else "")
            + "; expected Project or CodeBook)"
        )
    project = RProject(
        "project" if kind == "Project" else "codebook",
        root.get("origin", ""),
        root.get("name", ""),
        ns,
        root.get("modifiedDateTime") or root.get("creationDateTime") or "",
    )
    if ns not in ("urn:QDA-XML:project:1.0", "urn:QDA-XML:codebook:1.0"):
        project.repairs.append(f"namespace '{ns or 'none'}' is not the standard 1.0; read leniently")
    if kind == "CodeBook":
        _read_codebook(root, project)
        return project
    _read_project(root, project, archive)
    return project


def _read_codes(parent: ET.Element, project: RProject) -> list[RCode]:
    out = []
    for el in children(parent, "Code"):
        gid = norm_guid(el.get("guid"))
        if not gid:
            project.drop("codes without a guid")
            continue
        codable = (el.get("isCodable") or "true").strip().lower() not in ("false", "0")
        code = RCode(
            gid, (el.get("name") or "").strip(), text_of(child(el, "Description")).strip(), el.get("color"), codable
        )
        code.children = _read_codes(el, project)
        out.append(code)
    return out


def _read_sets(parent: ET.Element | None, attr: str) -> list[RSet]:
    if parent is None:
        return []
    out = []
    for s in children(parent, "Set"):
        members = [norm_guid(m.get(attr) or m.get("guid") or m.get("targetGUID")) for m in children(s, "MemberCode")]
        out.append(
            RSet((s.get("name") or "").strip(), text_of(child(s, "Description")).strip(), [m for m in members if m])
        )
    return out


def _read_codebook(root: ET.Element, project: RProject) -> None:
    codes = child(root, "Codes")
    project.codes = _read_codes(codes, project) if codes is not None else []
    project.sets = _read_sets(child(root, "Sets"), "guid")


def _values(el: ET.Element, names: dict[str, str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for vv in children(el, "VariableValue"):
        ref = child(vv, "VariableRef")
        name = names.get(norm_guid(ref.get("targetGUID") if ref is not None else None))
        if not name:
            continue
        for v in vv:
            kind = local(v.tag)
            raw = (v.text or "").strip()
            if kind == "VariableRef":
                continue
            try:
                if kind == "BooleanValue":
                    out[name] = raw.lower() in ("true", "1")
                elif kind == "IntegerValue":
                    out[name] = int(raw)
                elif kind == "FloatValue":
                    out[name] = float(raw)
                else:
                    out[name] = raw
            except ValueError:
                out[name] = raw
    return out


def _selection(el: ET.Element) -> RSelection | None:
    try:
        start = int((el.get("startPosition") or "").strip())
        end = int((el.get("endPosition") or "").strip())
    except ValueError:
        return None
    sel = RSelection(
        norm_guid(el.get("guid")),
        start,
        end,
        norm_guid(el.get("creatingUser")),
        el.get("creationDateTime") or "",
        text_of(child(el, "Description")).strip(),
    )
    for c in children(el, "Coding"):
        ref = child(c, "CodeRef")
        sel.codings.append(
            RCoding(
                norm_guid(ref.get("targetGUID") if ref is not None else None),
                norm_guid(c.get("creatingUser")),
                c.get("creationDateTime") or "",
                [norm_guid(n.get("targetGUID")) for n in children(c, "NoteRef")],
            )
        )
    sel.notes = [norm_guid(n.get("targetGUID")) for n in children(el, "NoteRef")]
    return sel


def _text_of_source(el: ET.Element, archive: Archive | None, project: RProject) -> tuple[str | None, bool, str]:
    content = child(el, "PlainTextContent")
    if content is not None:
        return text_of(content).lstrip("\ufeff"), False, ""
    path = (el.get("plainTextPath") or "").strip()
    if not path:
        return None, False, "no plain text (only rich text or media)"
    if path.lower().startswith(("relative://", "absolute://")):
        return None, False, f"external file {path.split('://', 1)[0]}:// (not inside the project)"
    if archive is None:
        return None, False, "its text file is not inside a bare .qde"
    member = archive.find_source(path)
    if member is None:
        return None, False, "its text file is missing from the archive"
    if not path.lower().startswith("internal://"):
        project.repairs.append(f"plainTextPath '{path}' lacks internal://; found it as {member}")
    text, bom, note = decode_source(archive.read(member))
    if note:
        project.repairs.append(f"{member}: {note}")
    return text, bom, ""


def _read_project(root: ET.Element, project: RProject, archive: Archive | None) -> None:
    users = child(root, "Users")
    for u in children(users, "User") if users is not None else []:
        project.users[norm_guid(u.get("guid"))] = (u.get("name") or u.get("id") or "").strip()
    book = child(root, "CodeBook")
    codes = child(book, "Codes") if book is not None else None
    project.codes = _read_codes(codes, project) if codes is not None else []
    variables = child(root, "Variables")
    names = (
        {norm_guid(v.get("guid")): (v.get("name") or "").strip() for v in children(variables, "Variable")}
        if variables is not None
        else {}
    )
    cases = child(root, "Cases")
    for c in children(cases, "Case") if cases is not None else []:
        project.cases.append(
            RCase(
                (c.get("name") or "").strip(),
                text_of(child(c, "Description")).strip(),
                _values(c, names),
                [norm_guid(s.get("targetGUID")) for s in children(c, "SourceRef")],
                len(children(c, "CodeRef")),
            )
        )
    notes = child(root, "Notes")
    for n in children(notes, "Note") if notes is not None else []:
        text, _, _ = _text_of_source(n, archive, project)
        project.notes[norm_guid(n.get("guid"))] = text or ""
    links = child(root, "Links")
    for link in children(links, "Link") if links is not None else []:
        project.links.append((norm_guid(link.get("originGUID")), norm_guid(link.get("targetGUID"))))
    project.sets = _read_sets(child(root, "Sets"), "targetGUID")
    project.drop("sets without codes (sets of sources or notes)", sum(1 for st in project.sets if not st.members))
    graphs = child(root, "Graphs")
    project.drop("graphs", len(children(graphs, "Graph")) if graphs is not None else 0)
    project.drop("notes about the whole project", len(children(root, "NoteRef")))
    sources = child(root, "Sources")
    for el in list(sources) if sources is not None else []:
        kind = local(el.tag)
        if kind == "PDFSource":
            rep = child(el, "Representation")
            if rep is None:
                project.drop("PDF sources without a text representation")
                continue
            _add_text_source(rep, el.get("name") or rep.get("name") or "", "PDFSource", archive, project, names)
        elif kind == "TextSource":
            _add_text_source(el, el.get("name") or "", kind, archive, project, names)
        else:
            project.drop(f"{kind}s (pictures, audio and video are not imported)")


def _add_text_source(
    el: ET.Element, name: str, kind: str, archive: Archive | None, project: RProject, names: dict[str, str]
) -> None:
    text, bom, why = _text_of_source(el, archive, project)
    src = RSource(
        norm_guid(el.get("guid")),
        name.strip(),
        kind,
        text,
        bom,
        text_of(child(el, "Description")).strip(),
        variables=_values(el, names),
        missing=why,
    )
    if not src.name:
        path = el.get("plainTextPath") or ""
        src.name = PurePosixPath(path.split("://", 1)[-1]).stem if path else ""
    for s in children(el, "PlainTextSelection"):
        sel = _selection(s)
        if sel is None:
            project.drop("selections without readable start/end positions")
        else:
            src.selections.append(sel)
    src.whole_codings = len(children(el, "Coding"))
    src.notes = [norm_guid(n.get("targetGUID")) for n in children(el, "NoteRef")]
    project.sources.append(src)
