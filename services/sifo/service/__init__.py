"""SIFO use cases: one function per command; the caller owns the transaction.

Each command writes its rows and its outbox events in the session it is given, so both commit
or neither does. Rows that guard money (drawing rights, borrowers, loans) are locked with
SELECT ... FOR UPDATE in one fixed order (loan, borrower, drawing rights) so concurrent commands
serialise instead of overdrawing, and never deadlock.
"""
