"""Serving: the FastAPI application built from the experiment's handlers."""
