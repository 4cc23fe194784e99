"""Helpers shared by the test packages (fake host, REST client for the emulator)."""
