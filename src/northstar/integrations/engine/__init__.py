"""Pure parts of the integrations: signatures, mapping service records to Northstar records, status moves."""
