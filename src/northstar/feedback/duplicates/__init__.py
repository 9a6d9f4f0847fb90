"""Near-duplicate feedback: review suggested pairs, merge, dismiss and unmerge."""
