"""Comments, @mentions, followers and activity feeds on ideas, themes, plans, objectives and experiments."""
