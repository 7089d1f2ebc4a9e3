"""Scaffold a new experiment package from a template experiment (`psml experiments new`)."""
