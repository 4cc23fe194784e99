"""The emulated Bitrix24 portal: a parent page for app frames, its JSON API and a SQLite store.

CPython only; never shipped to the browser. Start it with ``python -m portal_emulator`` or,
from tests, ``portal_emulator.server.start_emulator(...)``.
"""

from .appfiles import AppFolderError, EmulatorError, check_app_folder
from .server import Emulator, PortInUseError, start_emulator

__all__ = [
    "AppFolderError",
    "Emulator",
    "EmulatorError",
    "PortInUseError",
    "check_app_folder",
    "start_emulator",
]
