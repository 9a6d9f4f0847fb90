"""The analysis engine of the feedback module: pure functions from texts and vectors to results."""
