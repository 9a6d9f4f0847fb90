"""SDK-compatible ingestion: decode request bodies, parse PostHog and Segment payloads, write them durably."""
