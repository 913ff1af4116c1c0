"""Repayment operations every lender runs on the servicing core: due and overdue runs, SEPA files, statements.

`rules` holds the pure decisions (which instalments to ask for, collection dates, buckets,
reminders, matching); the other modules run them on a service's own tables (`tables`), in
chunks of short transactions, recorded as job runs (`job_runs`) that can be repeated, resumed
after a crash, and started by the scheduler (`scheduler`).
"""
