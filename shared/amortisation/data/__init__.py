"""Published parameters of the finance engine, shipped as JSON next to this file.

Each file names its legal source. Modules read them by path relative to their own `__file__`
(see `reference_rates.DATA_DIR`), so an editable install and a source checkout behave alike.
Changing a published figure is a data change here, never a code change.
"""
