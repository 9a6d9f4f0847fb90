"""Strategy and goals: objectives, key results and check-ins."""
