"""Maturity: a focus-area maturity model of the product organisation, scored from answers and evidence."""
