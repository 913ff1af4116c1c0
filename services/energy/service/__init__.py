"""Energy-programme use cases: one function per command; the caller owns the transaction.

Locks are taken in one order (application, applicant, budget year) so concurrent decisions
serialise on the budget year and never deadlock.
"""
