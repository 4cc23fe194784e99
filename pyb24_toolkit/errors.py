"""The one error the ``pyb24`` command reports as a single line (never a traceback)."""


class ToolError(Exception):
    """Bad input or a failed step; ``str()`` is the whole message, ready for the terminal."""
