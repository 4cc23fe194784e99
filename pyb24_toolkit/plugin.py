"""The pytest plugin (``pytest11`` entry point ``pyb24``): the ``b24`` fixture and its friends.

Contract (COMMON.md): ini ``b24_app = "."`` / option ``--b24-app DIR``; session fixtures
``b24_emulator``, ``b24_browser``; function fixture ``b24`` with ``b24.open(...)``.
The plugin engineer fills this module; until then it registers nothing.
"""
