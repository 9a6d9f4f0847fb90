"""Product analytics: SDK-compatible ingestion, the DuckDB event store and one query runner per insight."""
