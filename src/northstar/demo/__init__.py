"""The synthetic demo company that ``northstar demo`` seeds: Lumen Analytics and its customers."""
