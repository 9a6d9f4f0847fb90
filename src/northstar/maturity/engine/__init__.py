"""Pure engines of the maturity module: the model, scoring, evidence rules (no storage, web or CLI)."""
