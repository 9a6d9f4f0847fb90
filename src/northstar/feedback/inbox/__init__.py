"""The triage inbox: filter, annotate and act on many feedback items at once."""
