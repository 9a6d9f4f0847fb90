"""Shared building blocks: settings, storage, errors, permissions, jobs, audit, charts."""
