"""The finance engine every service uses: exact schedules, live-loan arithmetic, pricing and aid.

Pure code: standard library, numpy, numpy-financial, numba (the compiled repayment walk),
dateutil, holidays and pyxirr; no I/O, no framework, and nothing else of this repository. Money
is `Decimal` to the cent (ROUND_HALF_UP) on the scalar path and integer cents on the vectorised
path; both give the same cents.
"""
