"""Experiments with a lock here; written by `psml experiments lock NAME`: do not edit."""

EXPERIMENTS = ["housing", "sentiment"]
