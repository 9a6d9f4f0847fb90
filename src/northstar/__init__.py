"""Northstar: an operating system for a Head of Product."""

__version__ = "0.1.0"
