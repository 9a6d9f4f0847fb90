"""Experiment statistics engine: sufficient statistics in, frozen results out (pure, no I/O)."""
