"""A safe, fast XML reader for untrusted Salesforce metadata.

Metadata comes from a customer's org or repository, so it is untrusted input. libxml2 (via
lxml) parses with entity resolution, DTD loading and network access off, and any document type
declaration is refused outright: Salesforce metadata never carries a DTD, so refusing it removes
entity-expansion and external-entity attacks entirely. Elements keep their source line, so
findings can point at ``file:line``. Lookups are namespace-aware: children are matched in the
root element's namespace (the metadata namespace, or none when a tool omitted it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from leakline.core.errors import BadInputError

_ROOT_START = re.compile(rb"<[A-Za-z_]")  # a DTD can only come before the root element
_HARDENED = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "remove_comments": True,
    "remove_pis": True,
    "huge_tree": False,
}
_PARSER = etree.XMLParser(**_HARDENED)
# The same hardening with whitespace-only text dropped: for XML that is edited and written back.
_EDIT_PARSER = etree.XMLParser(**_HARDENED, remove_blank_text=True)


class Node:
    """One XML element: local name, text, children and source line."""

    __slots__ = ("_el", "_ns")

    def __init__(self, element: etree._Element, ns: str) -> None:
        self._el = element
        self._ns = ns  # "{uri}" of the document's default namespace, or ""

    @property
    def tag(self) -> str:
        return str(etree.QName(self._el).localname)

    @property
    def line(self) -> int:
        return int(self._el.sourceline or 1)

    @property
    def text(self) -> str:
        return self._el.text or ""

    @property
    def children(self) -> list[Node]:
        return [Node(child, self._ns) for child in self._el if isinstance(child.tag, str)]

    def find(self, tag: str) -> Node | None:
        """First direct child with this local name."""
        child = self._el.find(self._ns + tag)
        return Node(child, self._ns) if child is not None else None

    def findall(self, tag: str) -> Iterator[Node]:
        """All direct children with this local name."""
        return (Node(child, self._ns) for child in self._el.iterchildren(self._ns + tag))

    def get(self, tag: str, default: str | None = None) -> str | None:
        """Stripped text of the first direct child ``tag``."""
        child = self._el.find(self._ns + tag)
        value = None if child is None else (child.text or "")
        return value.strip() if value is not None else default

    def texts(self) -> dict[str, str]:
        """Local name → stripped text of each direct child (first occurrence); one pass, for hot paths."""
        out: dict[str, str] = {}
        cut = len(self._ns)
        for child in self._el:
            tag = child.tag
            if isinstance(tag, str):
                out.setdefault(tag[cut:], (child.text or "").strip())
        return out

    def flag(self, tag: str) -> bool | None:
        """Boolean child (``true``/``false``); ``None`` when absent."""
        value = self.get(tag)
        if value is None:
            return None
        return value.lower() == "true"


def parse_bytes(data: bytes, path: Path | str) -> Node:
    """Parse ``data``; malformed XML or any DTD raises ``BadInputError`` with file and line."""
    root = parse_element(data, path)
    uri = etree.QName(root).namespace
    return Node(root, f"{{{uri}}}" if uri else "")


def parse_element(data: bytes, path: Path | str, *, for_edit: bool = False) -> etree._Element:
    """The root element of ``data`` under the same checks as :func:`parse_bytes`.

    ``for_edit`` drops whitespace-only text so an edited tree pretty-prints cleanly.
    """
    doctype = data.find(b"<!DOCTYPE")
    root_start = _ROOT_START.search(data)
    if doctype >= 0 and (root_start is None or doctype < root_start.start()):
        line = data[:doctype].count(b"\n") + 1
        raise BadInputError(
            "XML document type declarations are not accepted in metadata (entity expansion risk)",
            path=path,
            line=line,
        )
    try:
        root = etree.fromstring(data, _EDIT_PARSER if for_edit else _PARSER)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or (exc.position[0] if exc.position else 1)
        raise BadInputError(f"malformed XML: {exc.msg}", path=path, line=line) from None
    if root is None:
        raise BadInputError("empty XML document", path=path, line=1)
    return root


def local_name(tag: object) -> str:
    """An element tag without its namespace (``{uri}loginIpRanges`` → ``loginIpRanges``)."""
    return str(tag).rsplit("}", 1)[-1]


def parse_file(path: Path, display: str) -> Node:
    """Read and parse one file; ``display`` is the path shown in errors."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInputError(f"cannot read: {exc.strerror}", path=display) from None
    return parse_bytes(data, display)
