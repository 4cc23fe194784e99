"""pyb24: Bitrix24 in-portal applications in Python.

In a PyScript page, ``from pyb24 import BX24`` gives the page's ``BX24``; it starts talking to
the portal (``getInitData``) the moment it is first imported, like BX24.js does on load.
"""

from typing import TYPE_CHECKING, Any

from .auth import AuthData
from .bridge import NotInPortalError, ReplyTimeout
from .dialogs import SelectedAccess, SelectedCrm, SelectedUser
from .encoding import upload
from .errors import (
    B24AccessError,
    B24AuthError,
    B24Error,
    B24NetworkError,
    B24NotFoundError,
    B24OperationLimitError,
    B24RateLimitError,
    B24ServerError,
)
from .facade import BX24Facade
from .fields import Field, Money
from .placement import EventBinding, EventUnbound, PlacementInfo, PlacementInterface
from .protocol import ProtocolError
from .rest import AjaxError, AjaxResult
from .session import NotInitializedError
from .slider import OpenPathError
from .window import PortalDeniedError

__all__ = [
    "BX24",
    "AjaxError",
    "AjaxResult",
    "AuthData",
    "B24AccessError",
    "B24AuthError",
    "B24Error",
    "B24NetworkError",
    "B24NotFoundError",
    "B24OperationLimitError",
    "B24RateLimitError",
    "B24ServerError",
    "EventBinding",
    "EventUnbound",
    "Field",
    "Money",
    "NotInPortalError",
    "NotInitializedError",
    "OpenPathError",
    "PortalDeniedError",
    "PlacementInfo",
    "PlacementInterface",
    "ProtocolError",
    "ReplyTimeout",
    "SelectedAccess",
    "SelectedCrm",
    "SelectedUser",
    "upload",
]


if TYPE_CHECKING:
    # Type checkers and editors see the instance the module's __getattr__ makes at run time.
    BX24: BX24Facade


def __getattr__(name: str) -> Any:
    # Created on first use so the pure core stays importable under CPython for tests.
    if name == "BX24":
        try:
            from .browser import BrowserHost
        except ImportError:
            raise ImportError(
                "pyb24.BX24 lives in the browser (PyScript/Pyodide). Under CPython, build "
                "pyb24.facade.BX24Facade(host) with a host of your own, as the unit tests do."
            ) from None
        bx24 = BX24Facade(BrowserHost())
        globals()["BX24"] = bx24
        return bx24
    raise AttributeError(f"module 'pyb24' has no attribute {name!r}")
