"""Derivative rules, one table per family; `registry` holds the tables."""
