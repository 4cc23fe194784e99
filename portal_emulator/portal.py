"""The portal page's side of the emulator, without HTTP: scenario → layout → page config,
and the JSON actions the page calls (token refresh, options, install flags, new layouts).

Layering: the store (model) is below, the REST emulator beside, ``server.py`` above; the
server only turns HTTP requests into calls of :func:`page_config` and :func:`run_action`
and their results (or :class:`PortalError`) back into HTTP answers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from .rest import RestEmulator
from .rest.core import APP_CODE, APP_SCOPES
from .rest.methods import APP_INFO
from .scenario import Scenario, ScenarioError, parse_scenario
from .store import InvalidGrant, Layout, Store, TokenPair, User

PORTAL_NAME = "Acme Corp"
APP_NAME = "pyb24 App"
# The cloud's OAuth server, as the portal names it to every app (settings/oauth/simple-way.md).
SERVER_ENDPOINT = "https://oauth.bitrix.info/rest/"


class PortalError(Exception):
    """An error answered as ``{"error": code, "error_description": text}`` with ``status``."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.description = description


def page_config(
    store: Store, query: str, *, host: str, app_origin: str
) -> tuple[int, dict[str, Any]]:
    """The portal page's config for the query string ``query`` (the scenario knobs).

    ``host`` is the portal's host as the browser named it, ``app_origin`` the origin that
    serves the app. A bad knob gives status 400 and a config whose ``error`` says why.
    """
    config: dict[str, Any] = {
        "portalName": PORTAL_NAME,
        "appName": APP_NAME,
        "appCode": APP_CODE,
        "knobs": dict(parse_qsl(query, keep_blank_values=True)),
        "users": [user_json(u) for u in store.users()],
        "error": None,
    }
    try:
        config.update(open_layout(store, parse_scenario(query), host=host, app_origin=app_origin))
    except ScenarioError as exc:
        config["error"] = f"Invalid scenario: {exc}"
        config["user"] = config["users"][0] if config["users"] else None
        return 400, config
    return 200, config


def open_layout(store: Store, scenario: Scenario, *, host: str, app_origin: str) -> dict[str, Any]:
    """Apply the scenario to the store, create a layout, and describe it for the page."""
    user = store.user(scenario.user)
    if user is None:
        known = ", ".join(str(u.id) for u in store.users())
        raise ScenarioError(f"user {scenario.user} does not exist; known users: {known}")
    is_admin = user.is_admin if scenario.admin is None else scenario.admin
    if scenario.first_run is not None:
        # first_run=1 means "this user has never run the app": forget their setInstall.
        store.set_user_installed(user.id, not scenario.first_run)
    if scenario.install is not None:
        store.set_app_installed("N" if scenario.install else "Y")
    layout, tokens = store.create_layout(user.id, is_admin, scenario.expires)

    portal_origin = "http://" + host
    if scenario.app_is_url:
        parts = urlsplit(scenario.app)
        frame_origin = f"{parts.scheme}://{parts.netloc}"
        app_url = scenario.app
    else:
        frame_origin = portal_origin if scenario.frame == "same" else app_origin
        app_url = frame_origin + scenario.app
    # Like the real portal's GET variant, the frame URL carries DOMAIN/PROTOCOL/LANG/APP_SID.
    frame_query = urlencode(
        {"DOMAIN": host, "PROTOCOL": "0", "LANG": scenario.lang, "APP_SID": layout.app_sid}
    )
    app_url += ("&" if "?" in app_url else "?") + frame_query

    return {
        "appSid": layout.app_sid,
        "appUrl": app_url,
        "appOrigin": frame_origin,
        "isAdmin": is_admin,
        "lang": scenario.lang,
        "memberId": store.member_id(),
        "frameBody": frame_body(store),
        "firstRun": not store.user_installed(user.id),
        "install": store.app_installed() == "N",
        "placement": scenario.placement,
        "placementOptions": scenario.placement_options,
        "deny": list(scenario.deny),
        "hold": list(scenario.hold),
        "installFinished": scenario.install_finished,
        "device": scenario.device,
        "auth": _auth_json(tokens),
        "userOptions": store.user_options(user.id),
        "appOptions": store.app_options(),
        "user": user_json(user),
    }


def frame_body(store: Store) -> dict[str, str]:
    """The fixed fields of the form the portal POSTs into an app frame, in the portal's order
    (api-reference/widgets/_includes/widget_data.md, settings/oauth/simple-way.md). The page
    puts each layout's AUTH_ID, AUTH_EXPIRES, REFRESH_ID before them, PLACEMENT and
    PLACEMENT_OPTIONS after them."""
    member_id = store.member_id()
    return {
        "SERVER_ENDPOINT": SERVER_ENDPOINT,
        # Per app and portal, as the portal's is; the same one event handlers would get.
        "APPLICATION_TOKEN": hashlib.sha256(f"{member_id}:{APP_CODE}".encode()).hexdigest()[:32],
        "APPLICATION_SCOPE": ",".join(APP_SCOPES),
        "member_id": member_id,
        "status": str(APP_INFO["STATUS"]),
    }


def run_action(store: Store, rest: RestEmulator, action: str, body: dict[str, Any]) -> Any:
    """One of the page's POST actions (``/portal/api/<action>``) with its JSON body."""
    if action == "reset":
        store.reset()
        rest.reset()
        return {"reset": True}
    if action == "rest_config":  # the page's REST panel: limits and faults
        try:
            return rest.apply_panel(body)
        except (TypeError, ValueError) as exc:
            raise PortalError(400, "INVALID_REQUEST", str(exc)) from None
    handler = _LAYOUT_ACTIONS.get(action)
    if handler is None:
        raise PortalError(404, "NOT_FOUND", f"unknown portal action {action!r}")
    app_sid = body.get("app_sid")
    if not isinstance(app_sid, str) or not app_sid:
        raise PortalError(400, "INVALID_REQUEST", "app_sid (string) is required")
    layout = store.layout(app_sid)
    if layout is None:
        raise PortalError(404, "LAYOUT_NOT_FOUND", "no application frame with this app_sid")
    return handler(store, layout, body)


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "lastName": user.last_name,
        "fullName": user.full_name,
        "initials": user.initials,
        "position": user.work_position,
        "isAdmin": user.is_admin,
    }


# -- the actions on one layout (an app frame: its APP_SID names it) ---------------------------


def _refresh(store: Store, layout: Layout, body: dict[str, Any]) -> Any:
    refresh_token = body.get("refresh_token")
    if not isinstance(refresh_token, str) or not refresh_token:
        raise PortalError(400, "invalid_grant", "refresh_token is required")
    try:
        pair = store.refresh_tokens(refresh_token, app_sid=layout.app_sid)
    except InvalidGrant as exc:
        raise PortalError(400, "invalid_grant", str(exc)) from None
    return _auth_json(pair)


def _user_option(store: Store, layout: Layout, body: dict[str, Any]) -> Any:
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise PortalError(400, "INVALID_REQUEST", "name (non-empty string) is required")
    value = body.get("value")
    store.set_user_option(layout.user_id, name, value)
    return {"name": name, "value": value}


def _app_options(store: Store, layout: Layout, body: dict[str, Any]) -> Any:
    if not layout.is_admin:
        raise PortalError(403, "ACCESS_DENIED", "only an administrator may change app options")
    options = body.get("options")
    if not isinstance(options, list):
        raise PortalError(400, "INVALID_REQUEST", "options must be a list of {name, value}")
    pairs = []
    for item in options:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise PortalError(400, "INVALID_REQUEST", "every option needs a non-empty string name")
        pairs.append((item["name"], item.get("value")))
    return store.set_app_options(pairs)


def _install(store: Store, layout: Layout, body: dict[str, Any]) -> Any:
    install = body.get("install")
    if not isinstance(install, bool):
        raise PortalError(400, "INVALID_REQUEST", "install must be true or false")
    store.set_user_installed(layout.user_id, install)
    return {"install": install}


def _installed(store: Store, layout: Layout, body: dict[str, Any]) -> Any:
    value = body.get("v")
    if value not in ("Y", "N"):
        raise PortalError(400, "INVALID_REQUEST", "v must be 'Y' or 'N'")
    store.set_app_installed(value)
    return {"installed": value}


def _new_layout(store: Store, layout: Layout, body: dict[str, Any]) -> Any:
    """openApplication: a new layout (APP_SID, tokens) for the same user, in a slider."""
    opened, tokens = store.create_layout(layout.user_id, layout.is_admin, layout.expires_in)
    return {
        "appSid": opened.app_sid,
        "auth": _auth_json(tokens),
        "firstRun": not store.user_installed(layout.user_id),
        "install": store.app_installed() == "N",
        "userOptions": store.user_options(layout.user_id),
        "appOptions": store.app_options(),
    }


def _auth_json(tokens: TokenPair) -> dict[str, Any]:
    return {
        "AUTH_ID": tokens.access_token,
        "AUTH_EXPIRES": tokens.expires_in,
        "REFRESH_ID": tokens.refresh_token,
    }


_LAYOUT_ACTIONS: dict[str, Callable[[Store, Layout, dict[str, Any]], Any]] = {
    "refresh": _refresh,
    "user_option": _user_option,
    "app_options": _app_options,
    "install": _install,
    "installed": _installed,
    "layout": _new_layout,
}
