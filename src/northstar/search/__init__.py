"""Global search: one box on every page that finds feedback, ideas, customers and people."""
