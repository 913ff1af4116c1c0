"""The official ISO 20022 XSDs of the camt.053 versions the statement import reads (data only)."""
