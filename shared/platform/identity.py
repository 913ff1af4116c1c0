"""Who a caller is, in one spelling: the subject a token names, normalised before anything compares it.

Four eyes, idempotency scopes and the audit trail all compare subjects. ``Alice@pmv.example``,
`` alice@pmv.example`` and ``alice@pmv.example`` followed by a zero-width space must be one person,
so the subject is reduced to Unicode NFKC, stripped of format characters (zero-width spaces and
joiners, bidirectional marks) and surrounding white space, and case-folded. A subject that is
blank after that, holds control characters or is longer than `MAX_SUBJECT_LENGTH` is refused.
"""

from __future__ import annotations

import unicodedata
import uuid

MAX_SUBJECT_LENGTH = 150


def normalised_subject(raw: str) -> str:
    """The one spelling of `raw` that every comparison uses; ValueError names the rule it breaks."""
    if not isinstance(raw, str):
        raise ValueError("sub: must be a string")
    text = unicodedata.normalize("NFKC", raw)
    text = "".join(char for char in text if unicodedata.category(char) != "Cf").strip().casefold()
    if not text:
        raise ValueError("sub: must not be blank")
    if any(unicodedata.category(char) in {"Cc", "Cs", "Co", "Cn"} for char in text):
        raise ValueError("sub: must not hold control, surrogate or unassigned characters")
    if len(text) > MAX_SUBJECT_LENGTH:
        raise ValueError(f"sub: must be at most {MAX_SUBJECT_LENGTH} characters")
    return text


def canonical_financier_id(raw: object) -> str:
    """A financier id as the canonical lower-case UUID string; ValueError when it is anything else."""
    if not isinstance(raw, str):
        raise ValueError("financier_id: must be a UUID string")
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise ValueError(f"financier_id: {raw[:60]!r} is not a UUID") from None
