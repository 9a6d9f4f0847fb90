"""Settings and administration: workspace settings, members and roles with invite links, API tokens, the audit log."""
