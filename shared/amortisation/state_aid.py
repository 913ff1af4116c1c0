"""State aid in a soft loan: its gross grant equivalent (GGE) and the de minimis register.

GGE of a loan granted on date G (EU reference-rate method, Communication 2008/C 14/02)::

    GGE = sum over installments k of  B(k-1) x (ref - rate) x f(k) / (1 + d) ** t(k)

* B(k-1): installment k's opening balance in the loan's own schedule (`build_schedule`), so grace
  and capitalised interest count as they are contracted;
* f(k): the installment's day-count year fraction (`Installment.fraction`);
* ref: the reference rate in force on G for the borrower's rating and collateral; d: the discount
  rate in force on G (base + 100 bp);
* t(k): actual days from G to due date k, divided by 365.

The sum is kept unrounded (50-digit Decimal; (1 + d) ** t as exp(-t ln(1 + d)), see
`returns.discount_factor`) and rounded half-up to the cent once. A loan at or above the reference
rate carries no aid: GGE 0.00.

De minimis (Regulation (EU) 2023/2831 from 1 January 2024, EUR 300,000; Regulation (EU)
No 1407/2013 before, EUR 200,000): the GGE granted to one enterprise within a rolling window of
three years may not exceed the ceiling in force. The window ending on `as_of` is the half-open
interval (as_of - 3 years, as_of]: a grant made exactly three calendar years before `as_of` has
dropped out, one made the day after still counts, and grants dated after `as_of` are ignored.
"As_of - 3 years" is dateutil's relativedelta, so 29 February minus three years is 28 February.
The rolling window is applied to dates before 2024 as well (1407/2013 counted three fiscal
years); the ceilings and the window length are data (`data/de_minimis.json`).

A new grant on G must fit every window that contains G, not only the one ending on G: a grant
dated before grants already in the register also falls in their windows, each judged against the
ceiling in force on its end date. The windows that contain G end on G or on a later grant date
less than three years after G (the sum over a window only grows at grant dates), so those are the
windows `check_new_grant` checks; the tightest of them is the headroom it reports.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.money import ZERO, exact, parse_money, round_half_up
from shared.amortisation.reference_rates import (
    DEFAULT_RATE_TABLE,
    Collateral,
    RateTable,
    Rating,
    check_effective_dates,
    effective_value,
    parse_date,
    rate_string,
    read_data,
)
from shared.amortisation.returns import DAYS_PER_YEAR, discount_factor
from shared.amortisation.schedule import Schedule, build_schedule
from shared.amortisation.terms import LoanTerms

# --------------------------------------------------------------------------- gross grant equivalent


@dataclass(frozen=True)
class GgeResult:
    """The GGE (euro, to the cent) and the rates it was computed with."""

    gge: Decimal
    reference_rate: Decimal
    discount_rate: Decimal

    def to_json(self) -> dict[str, str]:
        return {
            "gge": str(self.gge),
            "reference_rate": rate_string(self.reference_rate),
            "discount_rate": rate_string(self.discount_rate),
        }


def gross_grant_equivalent(
    terms: LoanTerms,
    grant_date: date,
    rating: Rating,
    collateral: Collateral,
    rates: RateTable = DEFAULT_RATE_TABLE,
    schedule: Schedule | None = None,
) -> GgeResult:
    """The GGE of `terms` granted on `grant_date`, by the formula in the module docstring.

    `schedule` may pass the terms' schedule when the caller has already built it.
    """
    quote = rates.quote(grant_date, rating, collateral)
    reference, discount = quote.reference_rate, quote.discount_rate
    if terms.annual_rate >= reference:
        return GgeResult(gge=ZERO, reference_rate=reference, discount_rate=discount)
    if schedule is None or schedule.terms != terms:
        schedule = build_schedule(terms)
    first_due = schedule.installments[0].due_date
    if grant_date > first_due:
        raise InvalidTerms(
            "grant_date",
            f"{grant_date.isoformat()} is after the first due date {first_due.isoformat()}; aid is granted before",
        )
    with exact():
        spread = reference - terms.annual_rate
        total = Decimal(0)
        for row in schedule.installments:
            years = Decimal((row.due_date - grant_date).days) / DAYS_PER_YEAR
            saved = row.opening_balance * spread * row.fraction.numerator / row.fraction.denominator
            total += saved * discount_factor(discount, years)
    return GgeResult(gge=round_half_up(total), reference_rate=reference, discount_rate=discount)


# --------------------------------------------------------------------------- de minimis register


@dataclass(frozen=True)
class DeMinimisCeiling:
    effective_from: date
    ceiling: Decimal
    regulation: str


class DeMinimisRules:
    """Effective-dated ceilings per single undertaking and the length of the rolling window."""

    def __init__(self, ceilings: Sequence[DeMinimisCeiling], window_years: int = 3) -> None:
        entries = tuple(sorted(ceilings, key=lambda entry: entry.effective_from))
        check_effective_dates("ceilings", [(entry.effective_from, entry) for entry in entries])
        for entry in entries:
            if entry.ceiling <= 0:
                raise InvalidTerms("ceilings", f"ceiling from {entry.effective_from.isoformat()} must be positive")
        if window_years < 1:
            raise InvalidTerms("window_years", "must be at least 1")
        self.ceilings = entries
        self.window_years = window_years

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DeMinimisRules:
        """Parse the layout of `data/de_minimis.json`."""
        rows = data.get("ceilings")
        if not isinstance(rows, list):
            raise InvalidTerms("ceilings", "must be a list of {effective_from, ceiling, regulation}")
        ceilings: list[DeMinimisCeiling] = []
        for index, row in enumerate(rows):
            if not isinstance(row, Mapping):
                raise InvalidTerms(f"ceilings[{index}]", "must be an object")
            ceilings.append(
                DeMinimisCeiling(
                    effective_from=parse_date(f"ceilings[{index}].effective_from", row.get("effective_from")),
                    ceiling=parse_money(f"ceilings[{index}].ceiling", row.get("ceiling")),
                    regulation=str(row.get("regulation", "")),
                )
            )
        window = data.get("window_years", 3)
        if isinstance(window, bool) or not isinstance(window, int):
            raise InvalidTerms("window_years", "must be a whole number")
        return cls(ceilings, window)

    @classmethod
    def load(cls, name: str = "de_minimis.json") -> DeMinimisRules:
        return cls.from_json(read_data(name))

    def in_force(self, on: date) -> DeMinimisCeiling:
        return effective_value([(entry.effective_from, entry) for entry in self.ceilings], on, "de minimis ceiling")

    def ceiling(self, on: date) -> Decimal:
        return self.in_force(on).ceiling

    def window_start(self, as_of: date) -> date:
        """The exclusive lower bound of the window ending on `as_of`: as_of minus the window years."""
        start: date = as_of - relativedelta(years=self.window_years)
        return start


DEFAULT_DE_MINIMIS = DeMinimisRules.load()


def de_minimis_ceiling(on: date, rules: DeMinimisRules = DEFAULT_DE_MINIMIS) -> Decimal:
    return rules.ceiling(on)


@dataclass(frozen=True)
class AidGrant:
    """One de minimis grant in the register: to whom, when, and its GGE in euro."""

    enterprise_number: str
    grant_date: date
    gge: Decimal

    def __post_init__(self) -> None:
        if not self.enterprise_number:
            raise InvalidTerms("enterprise_number", "is required")
        if self.gge < 0:
            raise InvalidTerms("gge", "must not be negative")
        if self.gge != self.gge.quantize(Decimal("0.01")):
            raise InvalidTerms("gge", f"{self.gge} has more than two decimals")


@dataclass(frozen=True)
class Headroom:
    """Ceiling in force, GGE used in the window, and what is still available (never below 0.00).

    `window_end` is the last day of the window the figures are for (the binding window of a check); it
    is not part of equality, which compares the figures.
    """

    ceiling: Decimal
    used: Decimal
    available: Decimal
    window_end: date | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, str]:
        return {"ceiling": str(self.ceiling), "used": str(self.used), "available": str(self.available)}


_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}


class DeMinimisExceeded(ValueError):
    """A new grant would push the undertaking over the ceiling; carries the figures of the binding window."""

    def __init__(self, new: AidGrant, headroom: Headroom, window_years: int) -> None:
        years = _NUMBER_WORDS.get(window_years, str(window_years))
        end = headroom.window_end or new.grant_date
        self.field = "gge"
        self.rule = (
            f"gge {new.gge} exceeds the de minimis headroom {headroom.available} of enterprise "
            f"{new.enterprise_number} (ceiling {headroom.ceiling}, used {headroom.used} in the {years} years "
            f"to {end.isoformat()})"
        )
        super().__init__(f"{self.field}: {self.rule}")
        self.grant = new
        self.headroom = headroom


def de_minimis_headroom(
    grants: Iterable[AidGrant],
    enterprise_number: str,
    as_of: date,
    rules: DeMinimisRules = DEFAULT_DE_MINIMIS,
) -> Headroom:
    """Headroom of one enterprise on `as_of`: grants in (as_of - 3 years, as_of] against the ceiling then."""
    ceiling = rules.ceiling(as_of)
    start = rules.window_start(as_of)
    used = sum(
        (
            grant.gge
            for grant in grants
            if grant.enterprise_number == enterprise_number and start < grant.grant_date <= as_of
        ),
        ZERO,
    )
    with exact():
        available = max(ceiling - used, ZERO)
    return Headroom(ceiling=ceiling, used=used, available=available, window_end=as_of)


Members = Callable[[date], Collection[str]]


def headroom_for_grant(
    grants: Iterable[AidGrant],
    enterprise_number: str,
    grant_date: date,
    rules: DeMinimisRules = DEFAULT_DE_MINIMIS,
    members_on: Members | None = None,
) -> Headroom:
    """What a new grant on `grant_date` may still carry: the tightest window that contains that date.

    Windows ending on `grant_date` or on a later grant date less than three years on are checked;
    on a tie the earliest window is reported. `members_on(day)` gives the enterprises that form
    the enterprise's single undertaking on `day` (the enterprise alone when absent): the window
    ending on a day counts the grants of the undertaking as it stands that day.
    """
    members: Members = members_on or (lambda _day: {enterprise_number})
    grants = list(grants)
    ends = sorted(
        {grant_date}
        | {
            grant.grant_date
            for grant in grants
            if grant_date < grant.grant_date
            and rules.window_start(grant.grant_date) < grant_date
            and grant.enterprise_number in members(grant.grant_date)
        }
    )
    tightest: Headroom | None = None
    for end in ends:
        undertaking = members(end)
        window = de_minimis_headroom(
            (
                AidGrant(enterprise_number, grant.grant_date, grant.gge)
                for grant in grants
                if grant.enterprise_number in undertaking
            ),
            enterprise_number,
            end,
            rules,
        )
        with exact():
            room = window.ceiling - window.used
        if tightest is None or room < tightest.ceiling - tightest.used:
            tightest = window
    assert tightest is not None
    return tightest


def check_new_grant(
    grants: Iterable[AidGrant],
    new: AidGrant,
    rules: DeMinimisRules = DEFAULT_DE_MINIMIS,
    members_on: Members | None = None,
) -> Headroom:
    """Refuse `new` if its GGE exceeds the headroom of any window containing its date; else that window after it.

    `grants` is the register without `new`. A GGE exactly equal to the headroom is allowed.
    """
    before = headroom_for_grant(list(grants), new.enterprise_number, new.grant_date, rules, members_on)
    if new.gge > before.available:
        raise DeMinimisExceeded(new, before, rules.window_years)
    with exact():
        return Headroom(
            ceiling=before.ceiling,
            used=before.used + new.gge,
            available=before.available - new.gge,
            window_end=before.window_end,
        )
