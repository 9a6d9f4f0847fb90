"""Themes: the explorer, human edits (rename, merge, split, move, pin), demand and ideas from themes."""
