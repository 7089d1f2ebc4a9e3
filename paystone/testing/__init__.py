"""Test helpers shipped with the platform (importable by experiments' own tests)."""

from paystone.testing.gcs_emulator import GCSEmulator, GCSEmulatorError, emulator_binary

__all__ = ["GCSEmulator", "GCSEmulatorError", "emulator_binary"]
