"""Register rules without a framework: who forms a single undertaking, which measures count, which dates are allowed."""
