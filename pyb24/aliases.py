"""PEP 8 names for BX24.js' camelCase API, made from one table. Pure.

``BX24.call_method(...)`` *is* ``BX24.callMethod(...)``: each alias is a read-only property
that returns the camelCase attribute, so there is no second implementation to drift, and an
alias of an attribute (``BX24.user_option``) follows it when init rebinds it.
"""

from __future__ import annotations

from typing import Any

# Which object, then snake_case name → BX24.js name.
ALIASES: dict[str, dict[str, str]] = {
    "BX24": {
        "install_finish": "installFinish",
        "is_ready": "isReady",
        "is_admin": "isAdmin",
        "get_auth": "getAuth",
        "refresh_auth": "refreshAuth",
        "get_lang": "getLang",
        "get_domain": "getDomain",
        "call_method": "callMethod",
        "call_batch": "callBatch",
        "call_bind": "callBind",
        "call_unbind": "callUnbind",
        "user_option": "userOption",
        "app_option": "appOption",
        "resize_window": "resizeWindow",
        "fit_window": "fitWindow",
        "auto_fit": "autoFit",
        "reload_window": "reloadWindow",
        "set_title": "setTitle",
        "get_scroll_size": "getScrollSize",
        "scroll_parent_window": "scrollParentWindow",
        "select_user": "selectUser",
        "select_users": "selectUsers",
        "select_access": "selectAccess",
        "select_crm": "selectCRM",
        "open_application": "openApplication",
        "close_application": "closeApplication",
        "open_path": "openPath",
    },
    "placement": {
        "get_interface": "getInterface",
        "bind_event": "bindEvent",
        "unbind_event": "unbindEvent",
    },
    "im": {
        "call_to": "callTo",
        "phone_to": "phoneTo",
        "open_messenger": "openMessenger",
        "open_history": "openHistory",
    },
}


def _alias(target: str) -> property:
    def read(self: Any) -> Any:
        return getattr(self, target)

    read.__doc__ = f"PEP 8 name of ``{target}`` (the same object)."
    return property(read)


def add_aliases(cls: type, table: str) -> None:
    """Give ``cls`` the PEP 8 names of ``ALIASES[table]`` (tests check every target exists)."""
    for snake, camel in ALIASES[table].items():
        setattr(cls, snake, _alias(camel))
