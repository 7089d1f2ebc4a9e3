"""The experiment's regression, data, acceptance and serving tests."""
