"""Tests of the feedback module."""
