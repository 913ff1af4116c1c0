"""Unit tests of the finance engine `shared.amortisation`."""
