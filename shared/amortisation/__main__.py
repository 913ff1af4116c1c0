"""``python -m shared.amortisation``: see `cli`."""

from shared.amortisation.cli import main

raise SystemExit(main())
