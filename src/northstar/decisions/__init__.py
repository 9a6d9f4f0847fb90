"""Decision module: scoring, cost-benefit, portfolio selection, roadmap scheduling, forecasts and scenarios."""
