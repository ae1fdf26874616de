"""Shared pieces of REFI-QDA (QDA-XML) exchange: namespaces, GUIDs, a hardened XML parser, validation."""

from __future__ import annotations

import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from typing import Any
from xml.parsers import expat

from grondmotief.core.errors import GrondmotiefError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
PROJECT_SCHEMA_URL = "http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
CODEBOOK_SCHEMA_URL = "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"
# uuid5 namespace for our GUIDs: fixed, so the same study always gets the same GUIDs.
GM_NAMESPACE = uuid.UUID("6c1c9b0e-3f7d-5a52-9d2e-6f72f6e2b1a7")
GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
MAX_XML_BYTES = 200 * 1024 * 1024


def guid(kind: str, key: str) -> str:
    """A deterministic GUID for a study-local key, e.g. guid('code', 'subsidies')."""
    return str(uuid.uuid5(GM_NAMESPACE, f"{kind}:{key}")).upper()


def norm_guid(value: str | None) -> str:
    """A GUID as a lookup key: braces stripped, case folded; any other id kept as is (trimmed)."""
    if value is None:
        return ""
    text = value.strip()
    m = GUID.fullmatch(text)
    return m.group(1).lower() if m else text


def local(tag: str) -> str:
    """Element name without namespace ('{urn:…}Code' → 'Code')."""
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def children(el: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in el if local(c.tag) == name]


def child(el: ET.Element, name: str) -> ET.Element | None:
    for c in el:
        if local(c.tag) == name:
            return c
    return None


def text_of(el: ET.Element | None) -> str:
    return "" if el is None else "".join(el.itertext())


class UnsafeXml(GrondmotiefError):
    pass


def parse_xml(data: bytes, label: str) -> ET.Element:
    """Parse XML without DTDs or entities (no billion laughs, no external entities); errors name the line.

    Our own expat driver: a REFI file never needs a DOCTYPE, so any declaration is refused.
    """
    if len(data) > MAX_XML_BYTES:
        raise GrondmotiefError(f"{label}: XML of {len(data) / 1e6:.0f} MB is larger than we read")
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")

    def refuse(*_: Any) -> None:
        raise UnsafeXml(f"{label}: refused: the XML declares a DOCTYPE or entities, which REFI-QDA files never need")

    def start(name: str, attrs: dict[str, str]) -> None:
        builder.start("{" + name if "}" in name else name, {_attr(k): v for k, v in attrs.items()})

    def end(name: str) -> None:
        builder.end("{" + name if "}" in name else name)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
        root = builder.close()
    except UnsafeXml:
        raise
    except expat.ExpatError as exc:
        raise GrondmotiefError(f"{label}:{exc.lineno}: not well-formed XML ({expat.ErrorString(exc.code)})") from None
    except LookupError:  # <?xml encoding="u"?>: expat looks the encoding up and finds none
        raise GrondmotiefError(
            f"{label}:1: the XML declaration names an unknown encoding; REFI-QDA files are UTF-8"
        ) from None
    except (AssertionError, IndexError):  # TreeBuilder on a truncated document
        raise GrondmotiefError(f"{label}: not well-formed XML (unbalanced elements)") from None
    return root


def _attr(name: str) -> str:
    return "{" + name if "}" in name else name


def slugify(text: str, *, fallback: str = "code", max_len: int = 48) -> str:
    """A code or transcript id from a name: lower-case ASCII letters, digits and single hyphens."""
    text = re.sub(r"['’`]", "", text)  # "Thema's" → thema-s would be odd
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    s = s[:max_len].strip("-")
    return s or fallback


def unique(base: str, taken: set[str]) -> str:
    if base not in taken:
        taken.add(base)
        return base
    k = 2
    while f"{base}-{k}" in taken:
        k += 1
    taken.add(f"{base}-{k}")
    return f"{base}-{k}"


def parse_color(value: str | None) -> str | None:
    """#rrggbb from '#RGB', '#RRGGBB', '#RRGGBBAA', 'rgb(r,g,b)' or 'r,g,b'; None if unreadable."""
    if not value:
        return None
    v = value.strip()
    m = re.fullmatch(r"#?([0-9a-fA-F]{3})", v)
    if m:
        return "#" + "".join(ch * 2 for ch in m.group(1)).lower()
    m = re.fullmatch(r"#?([0-9a-fA-F]{6})(?:[0-9a-fA-F]{2})?", v)
    if m:
        return "#" + m.group(1).lower()
    m = re.fullmatch(r"(?:rgba?\()?\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*[\d.]+\s*)?\)?", v)
    if m and all(int(x) <= 255 for x in m.groups()):
        return "#" + "".join(f"{int(x):02x}" for x in m.groups())
    return None


def schema_path(kind: str) -> Path:
    name = {"project": "Project.xsd", "codebook": "Codebook.xsd"}[kind]
    return Path(str(resources.files("grondmotief").joinpath("data", "refi", name)))


def validate_xml(data: bytes, kind: str) -> list[str]:
    """Problems of a project.qde or .qdc against the bundled REFI-QDA 1.0 schema ([] = valid)."""

    schema = _schema(kind)
    errors = []
    for err in schema.iter_errors(data.decode("utf-8")):
        where = getattr(err, "path", None) or ""
        errors.append(f"{where}: {err.reason}" if where else str(err.reason))
    return errors


_SCHEMAS: dict[str, Any] = {}


def _schema(kind: str) -> Any:
    import xmlschema

    if kind not in _SCHEMAS:
        _SCHEMAS[kind] = xmlschema.XMLSchema(str(schema_path(kind)))
    return _SCHEMAS[kind]
