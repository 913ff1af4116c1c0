"""A single undertaking: enterprises under common control, linked for a period.

Regulation (EU) 2023/2831 (art. 2(2)) counts de minimis aid per single undertaking, not per legal
entity. The register records links between two enterprises with the days they hold (both
included); the undertaking of an enterprise on a date is every enterprise reachable through links
valid on that date, so a link A-B and a link B-C make one undertaking of A, B and C. A window of
the ceiling check counts the aid of the undertaking as it stands on the window's last day, so a
grant is checked against every enterprise that is linked to it on some day of the windows that
contain it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Link:
    enterprise_number: str
    linked_enterprise_number: str
    valid_from: date
    valid_until: date | None

    def holds_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)


def single_undertaking(enterprise_number: str, links: Iterable[Link], on: date) -> frozenset[str]:
    """Every enterprise linked to `enterprise_number`, directly or through others, by links valid on `on`."""
    neighbours: dict[str, set[str]] = {}
    for link in links:
        if link.holds_on(on):
            neighbours.setdefault(link.enterprise_number, set()).add(link.linked_enterprise_number)
            neighbours.setdefault(link.linked_enterprise_number, set()).add(link.enterprise_number)
    members = {enterprise_number}
    frontier = [enterprise_number]
    while frontier:
        for other in neighbours.get(frontier.pop(), ()):
            if other not in members:
                members.add(other)
                frontier.append(other)
    return frozenset(members)


@dataclass(frozen=True)
class Membership:
    """The single undertaking of one enterprise over time, from the links the register holds."""

    enterprise_number: str
    links: tuple[Link, ...]

    def on(self, day: date) -> frozenset[str]:
        return single_undertaking(self.enterprise_number, self.links, day)

    def during(self, first: date, last: date) -> frozenset[str]:
        """Every enterprise in the undertaking on some day from `first` to `last` (both included).

        The undertaking only changes on the first day of a link and the day after its last, so
        those days (and `first`) are enough.
        """
        days = {first}
        for link in self.links:
            changes = [link.valid_from]
            if link.valid_until is not None and link.valid_until < date.max:
                changes.append(link.valid_until + timedelta(days=1))
            days.update(day for day in changes if first < day <= last)
        members: set[str] = set()
        for day in days:
            members |= self.on(day)
        return frozenset(members)
