"""The workspace home: counts and charts across modules."""
