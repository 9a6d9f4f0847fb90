"""Customers (accounts) and their contacts: who is asking, and how much revenue they represent."""
