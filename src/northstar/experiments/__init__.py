"""Experiments: definitions, per-variant summaries and their statistical analysis."""
