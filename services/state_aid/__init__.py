"""The de minimis register: every aid measure of every single undertaking, for every instrument."""
