"""Validation of bank files against their official ISO 20022 XSDs, with lxml (libxml2).

The pain.001 and pain.008 XSDs are the ones sepaxml ships; the camt.053 XSDs are kept under
``schemas/``. Each schema is compiled once per process. Untrusted input is parsed without
entity expansion, DTD loading or network access.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import sepaxml
from lxml import etree

SEPAXML_SCHEMAS = Path(sepaxml.__file__).parent / "schemas"
OUR_SCHEMAS = Path(__file__).parent / "schemas"


class InvalidDocument(ValueError):
    """A document that does not follow its XSD; the message names the first error and its line."""


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@cache
def schema(name: str) -> etree.XMLSchema:
    """The compiled XSD of message `name` (``pain.008.001.08``, ``camt.053.001.02``)."""
    path = OUR_SCHEMAS / f"{name}.xsd"
    if not path.exists():
        path = SEPAXML_SCHEMAS / f"{name}.xsd"
    return etree.XMLSchema(etree.parse(str(path), safe_parser()))


def parse(document: bytes) -> etree._Element:
    """The root element; etree.XMLSyntaxError for a document that is not well-formed.

    A document with a DTD (a DOCTYPE, internal entities) is refused as well: no bank file has one.
    """
    root = etree.fromstring(document, safe_parser())
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        raise InvalidDocument("a DOCTYPE (DTD or entities) is not accepted in a bank file")
    return root


def check(root: etree._Element, name: str) -> None:
    """InvalidDocument unless `root` is valid against the XSD of `name`."""
    validator = schema(name)
    try:
        valid = validator.validate(root)
    except etree.Error as exc:  # e.g. an entity reference left unexpanded
        raise InvalidDocument(f"cannot be validated: {exc}") from None
    if not valid:
        errors = list(validator.error_log)
        first = errors[0]
        raise InvalidDocument(f"{first.message} (line {first.line}); {len(errors)} error(s) in all")


def validate(document: bytes, name: str) -> None:
    """InvalidDocument unless `document` parses, has no DTD and is valid against the XSD of `name`."""
    try:
        root = parse(document)
    except etree.XMLSyntaxError as exc:
        raise InvalidDocument(f"not well-formed XML: {exc}") from None
    check(root, name)
