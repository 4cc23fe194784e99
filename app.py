"""The pyb24 demo placement app. Copy this file, index.html and pyscript.toml to start your own."""

import asyncio
import json
import time

from pyscript import document, when

from pyb24 import BX24, ReplyTimeout


def show(element_id, text):
    document.getElementById(element_id).textContent = text


def installer():
    # Runs once per user (FIRST_RUN) before init handlers; installFinish() ends this step.
    document.getElementById("install-note").hidden = False
    BX24.installFinish()


BX24.install(installer)
await BX24.init()  # noqa: F704 - PyScript runs this file with top-level await


def render_auth():
    auth = BX24.getAuth()
    if auth:
        show("expires", time.strftime("%H:%M:%S", time.localtime(auth["expires_in"] / 1000)))
    else:
        show("expires", "expired")


def render():
    info = BX24.placement.info()
    show("domain", BX24.getDomain())
    show("lang", BX24.getLang())
    show("admin", "yes" if BX24.isAdmin() else "no")
    show("placement", info["placement"])
    show("placement-options", json.dumps(info["options"], ensure_ascii=False) or "{}")
    render_auth()
    document.getElementById("user-option").value = BX24.userOption.get("greeting") or ""
    document.getElementById("app-option").value = BX24.appOption.get("mode") or ""
    if not BX24.isAdmin():
        document.getElementById("app-option-save").disabled = True
        show("app-option-status", "only portal administrators can change app options")


@when("submit", "#user-option-form")
def save_user_option(event):
    event.preventDefault()
    BX24.userOption.set("greeting", document.getElementById("user-option").value)
    show("user-option-status", "saved")


@when("submit", "#app-option-form")
def save_app_option(event):
    event.preventDefault()  # synchronously: an async handler would run after the form submits
    asyncio.ensure_future(store_app_option(document.getElementById("app-option").value))


async def store_app_option(value):
    show("app-option-status", "saving…")
    try:
        options = await BX24.appOption.set("mode", value)
    except ReplyTimeout:
        show("app-option-status", "the portal did not answer; not saved")
    else:
        show("app-option-status", f"saved; the portal now has {len(options)} app option(s)")


@when("click", "#refresh-auth")
async def refresh_auth(event):
    show("refresh-status", "refreshing…")
    try:
        await BX24.refreshAuth()
    except ReplyTimeout:
        show("refresh-status", "the portal did not answer")
    else:
        show("refresh-status", "new token received")
    render_auth()


render()
document.getElementById("loading").hidden = True
document.getElementById("app").hidden = False
