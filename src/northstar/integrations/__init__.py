"""Connectors that keep feedback and ideas in sync with Zendesk, GitHub Issues and Jira."""
