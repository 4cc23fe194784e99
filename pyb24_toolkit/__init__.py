"""pyb24's tools for app authors: the ``pyb24`` command (new, dev, build), the runtime assets
it serves and ships, and the pytest plugin. CPython only: nothing here goes to the browser
(that is the ``pyb24`` package)."""
