"""What every payment-initiation file we produce (pain.001, pain.008) gets after sepaxml builds it.

sepaxml stamps a random message id, the wall-clock time and random payment-information ids. They
are replaced by the caller's values, so the same inputs give the same bytes (a file can be rebuilt
and compared), and the result is validated against the schema's XSD before it leaves (`xsd.InvalidDocument`
otherwise, which the input checks of the builders are meant to make unreachable).
"""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree

from shared.banking import xsd
from shared.banking.sepa_text import MAX_ID


def payment_information_id(message_id: str, number: int) -> str:
    suffix = f"-{number}"
    return message_id[: MAX_ID - len(suffix)] + suffix


def deterministic_document(raw: bytes, schema: str, root_name: str, message_id: str, created_at: datetime) -> bytes:
    """`raw` with the caller's message id, creation time and derived block ids, validated against `schema`.

    The tree is handled without namespaces (as sepaxml builds it) to keep ElementTree's global
    prefix map out of it.
    """
    root = ElementTree.fromstring(raw)  # noqa: S314 - our own output, not untrusted input
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
    root.set("xmlns", f"urn:iso:std:iso:20022:tech:xsd:{schema}")
    _set_text(root, f"{root_name}/GrpHdr/MsgId", message_id)
    _set_text(root, f"{root_name}/GrpHdr/CreDtTm", created_at.replace(microsecond=0).isoformat())
    for number, block in enumerate(root.iterfind(f"{root_name}/PmtInf"), start=1):
        _set_text(block, "PmtInfId", payment_information_id(message_id, number))
    document: bytes = ElementTree.tostring(root, encoding="UTF-8", xml_declaration=True)
    xsd.validate(document, schema)
    return document


def _set_text(parent: ElementTree.Element, path: str, text: str) -> None:
    node = parent.find(path)
    assert node is not None, path
    node.text = text
