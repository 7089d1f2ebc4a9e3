"""The service's public contract: what callers send, what they get back, and the routes."""
