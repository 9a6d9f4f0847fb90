"""Feedback coming in one item at a time: the intake API and the embeddable feedback form."""
