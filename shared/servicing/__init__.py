"""Servicing of live loans and four-eyes decisions, shared by every lending service.

The domain (`accounts`, `entries`, `decisions`, `four_eyes`, `aid`) imports no framework; the use
cases (`service`) work through the unit-of-work port (`ports`), which `fake` implements in memory
and `sql` on a service's own tables (`tables`). Each service plugs in its own loan rows, table
prefix, event contracts and the decisions only it can execute (a disbursement, a cancellation).
"""
