"""Data models of the compute layer."""
