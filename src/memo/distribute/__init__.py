"""Distribution of memo PDFs by e-mail, with a delivery ledger."""
