"""Notifications: in-app, e-mail over SMTP and Slack incoming webhooks, through a transactional outbox."""
