"""Budget: plan lines per team and period, actual spend imported from finance, plan against actual."""
