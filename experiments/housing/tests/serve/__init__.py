"""Unit tests of the serving handlers, with mocked artifacts."""
