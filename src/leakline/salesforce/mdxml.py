"""Small, safe edits of Metadata API XML: profile login IP ranges and top-level switches
(remote sites, named credentials). Used by containment (to change an org) and by the emulator
(to honour what was deployed). Parsing refuses DTDs and entities
(:func:`leakline.posture.xmlsafe.parse_element`)."""

from __future__ import annotations

import ipaddress
from xml.sax.saxutils import escape

from lxml import etree

from leakline.core.errors import BadInputError
from leakline.posture.xmlsafe import local_name, parse_element

NS = "http://soap.sforce.com/2006/04/metadata"


def parse_ranges(text: str) -> list[dict[str, str]]:
    """``"203.0.113.0/24, 198.51.100.7, 192.0.2.1-192.0.2.9"`` → sorted ``{start, end}`` ranges."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    for raw in text.replace(";", ",").split(","):
        item = raw.strip()
        if not item:
            continue
        try:
            if "-" in item:
                a, b = (ipaddress.ip_address(x.strip()) for x in item.split("-", 1))
                if a.version != b.version or a > b:  # type: ignore[operator]
                    raise ValueError
                start, end = str(a), str(b)
            else:
                net = ipaddress.ip_network(item, strict=False)
                start, end = str(net.network_address), str(net.broadcast_address)
        except ValueError:
            raise BadInputError(f"not an IP address, CIDR or start-end range: {item!r}") from None
        out[(start, end)] = {"start": start, "end": end}
    if not out:
        raise BadInputError("no IP ranges given")
    return sorted(out.values(), key=lambda r: (ipaddress.ip_address(r["start"]).version, int(ipaddress.ip_address(r["start"]))))


def profile_ranges(xml: bytes, where: str) -> list[dict[str, str]]:
    """``loginIpRanges`` of a profile as ``{start, end, description}``."""
    out = []
    for node in parse_element(xml, where, for_edit=True):
        if local_name(node.tag) != "loginIpRanges":
            continue
        values = {local_name(c.tag): (c.text or "").strip() for c in node}
        out.append(
            {"start": values.get("startAddress", ""), "end": values.get("endAddress", ""), "description": values.get("description", "")}
        )
    return out


def profile_with_ranges(ranges: list[dict[str, str]]) -> bytes:
    """A Profile file carrying only ``loginIpRanges`` (deploying it changes only those)."""
    items = "".join(
        "    <loginIpRanges>\n"
        + (f"        <description>{escape(r['description'])}</description>\n" if r.get("description") else "")
        + f"        <endAddress>{escape(r['end'])}</endAddress>\n"
        f"        <startAddress>{escape(r['start'])}</startAddress>\n"
        "    </loginIpRanges>\n"
        for r in ranges
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Profile xmlns="{NS}">\n{items}</Profile>\n'.encode()


def get_value(xml: bytes, element: str, where: str) -> str | None:
    """Text of a top-level element, or None."""
    for node in parse_element(xml, where, for_edit=True):
        if local_name(node.tag) == element:
            return (node.text or "").strip()
    return None


def set_value(xml: bytes, element: str, value: str, where: str) -> bytes:
    """The same component with a top-level element set (added in name order if absent)."""
    root = parse_element(xml, where, for_edit=True)
    ns = etree.QName(root).namespace
    for node in root:
        if local_name(node.tag) == element:
            node.text = value
            break
    else:
        new = etree.Element(f"{{{ns}}}{element}" if ns else element)
        new.text = value
        after = [n for n in root if local_name(n.tag) < element]
        root.insert(len(after), new)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return out
