"""Serving tests: the handlers with fake models."""
