"""Payments' pages, one module per concept."""
