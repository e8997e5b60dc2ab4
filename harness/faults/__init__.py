"""Faults: the catalog (data), the controller that injects and heals, and the hygiene check."""
