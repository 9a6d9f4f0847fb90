"""Backup and restore of a whole Northstar: the database's rows, the event stores, trained models, the secret key."""
