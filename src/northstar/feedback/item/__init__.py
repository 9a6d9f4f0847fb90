"""One feedback item on its own: read it with its customer, analysis, duplicates, ideas and history; correct it."""
