"""pyb24 test suite."""
