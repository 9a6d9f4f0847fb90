"""Feature flags: boolean and multivariate flags served to the PostHog SDKs, with exposure events for experiments."""
