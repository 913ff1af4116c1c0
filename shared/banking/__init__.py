"""Bank file formats: SEPA credit transfers and direct debits out, camt.053 statements in, structured references."""
