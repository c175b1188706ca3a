"""Statistics and reports per agency and period (issue 15 items 3–5), computed live from the documents."""
