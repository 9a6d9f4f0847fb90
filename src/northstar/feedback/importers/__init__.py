"""Pure parsers that turn feedback exports into plain ``FeedbackRecord`` values (no database, no network)."""
