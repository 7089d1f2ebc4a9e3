"""The ``psml`` command line: one module per command, thin over the platform's functions."""
