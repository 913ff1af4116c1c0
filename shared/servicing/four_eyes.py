"""Four eyes: whoever prepares an approval, disbursement or write-off may not be the one who approves it.

People are compared as identities, not as strings: Unicode compatibility forms are folded
(NFKC), invisible format characters such as zero-width spaces are dropped, surrounding white
space is ignored and case does not count. ``Alice@pmv.example``, `` alice@pmv.example`` and
``alice@pmv.example`` followed by a zero-width space are all the same person.
"""

from __future__ import annotations

import unicodedata

from shared.platform.rules import Forbidden


def identity(subject: str) -> str:
    """The comparable form of a token subject."""
    folded = unicodedata.normalize("NFKC", subject)
    visible = "".join(char for char in folded if unicodedata.category(char) != "Cf")
    return visible.strip().casefold()


def same_person(first: str, second: str) -> bool:
    return identity(first) == identity(second)


def ensure_four_eyes(prepared_by: str, decided_by: str, action: str, verb: str = "approve") -> None:
    """Refuse (403) a decision (`verb`: approve, reject) by the person who prepared it."""
    if same_person(prepared_by, decided_by):
        raise Forbidden(f"{decided_by} prepared this {action} and may not also {verb} it (four-eyes rule)")
