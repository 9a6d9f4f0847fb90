"""Feedback: every customer voice in one inbox, attributed to customers and linked to ideas."""
