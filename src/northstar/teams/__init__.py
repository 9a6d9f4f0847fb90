"""Teams with their disciplines and capacity per period, and the people who staff them."""
