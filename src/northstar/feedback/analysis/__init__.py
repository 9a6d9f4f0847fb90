"""Feedback analysis runs: embed, classify and theme the workspace's items, and the stateless CLI over files."""
