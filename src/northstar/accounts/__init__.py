"""Accounts and access: users, workspaces, memberships with roles, login sessions and API tokens."""
