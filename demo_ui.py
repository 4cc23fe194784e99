"""The demo app's "Portal UI" section: every window, picker, slider, messenger and placement
command, one button each. ``app.py`` calls :func:`setup` after ``BX24.init()``.

The pickers show the two ways to wait: ``await`` (with a "Stop waiting" button that cancels
the wait: a picker the person closes never answers) and the BX24.js callback form.
"""

import asyncio
import json

from pyscript import document, when

from pyb24 import BX24, OpenPathError, ReplyTimeout

SLIDER_MARK = "pyb24_demo_slider"  # our PLACEMENT_OPTIONS key when we open ourselves
_waiting: asyncio.Task | None = None  # the picker being waited for


def _show(element_id, text):
    document.getElementById(element_id).textContent = text


def _pretty(value):
    return json.dumps(value, ensure_ascii=False, indent=1)


def setup():
    options = BX24.placement.info()["options"] or {}
    in_slider = bool(options.get(SLIDER_MARK))
    document.getElementById("ui-slider-note").hidden = not in_slider
    document.getElementById("ui-close-app").hidden = not in_slider
    if in_slider:
        _show("ui-slider-note", f"Opened in a slider with PLACEMENT_OPTIONS {_pretty(options)}")
    asyncio.ensure_future(_describe_placement())


async def _describe_placement():
    try:
        interface = await BX24.placement.getInterface()
    except ReplyTimeout:
        _show("ui-interface", "the portal did not answer getInterface")
        return
    commands, events = interface["command"], interface["event"]
    _show(
        "ui-interface",
        f"commands: {', '.join(commands) or 'none'} · events: {', '.join(events) or 'none'}",
    )
    box = document.getElementById("ui-placement-commands")
    box.textContent = ""
    for command in commands:
        button = document.createElement("button")
        button.type = "button"
        button.textContent = command
        button.dataset.command = command
        box.appendChild(button)
    if events:
        for event in events:
            BX24.placement.bindEvent(event, lambda payload, event=event: _on_event(event, payload))
        _show("ui-events", f"listening to {len(events)} event(s)…")


def _on_event(event, payload):
    log = document.getElementById("ui-events")
    log.textContent = f"{event}: {json.dumps(payload, ensure_ascii=False)}\n" + log.textContent


@when("click", "#ui-placement-commands")
async def call_placement_command(event):
    command = event.target.dataset.command
    if not command:
        return
    value = document.getElementById("ui-value").value if command == "setValue" else None
    try:
        answer = await BX24.placement.call(command, value)
    except ReplyTimeout:
        _show("ui-placement-status", f"{command}: no answer")
    else:
        _show("ui-placement-status", f"{command} → {json.dumps(answer, ensure_ascii=False)}")


# -- window --------------------------------------------------------------------------------
@when("click", "#ui-resize")
async def resize(event):
    size = await BX24.resizeWindow(900, 700)
    _show("ui-window-status", f"the frame is now {size['width']}×{size['height']} px")


@when("click", "#ui-fit")
async def fit(event):
    size = await BX24.fitWindow()
    _show("ui-window-status", f"fitted: {size['height']} px tall")


@when("change", "#ui-autofit")
def auto_fit(event):
    on = event.target.checked
    BX24.autoFit(on)
    _show("ui-window-status", "auto-fit on: add rows below" if on else "auto-fit off")
    document.getElementById("ui-grow").hidden = not on


@when("click", "#ui-add-row")
def add_row(event):
    rows = document.getElementById("ui-rows")
    item = document.createElement("li")
    item.textContent = f"row {rows.children.length + 1}"
    rows.appendChild(item)


@when("click", "#ui-remove-rows")
def remove_rows(event):
    document.getElementById("ui-rows").textContent = ""


@when("click", "#ui-scroll")
async def scroll(event):
    await BX24.scrollParentWindow(0)
    _show("ui-window-status", "scrolled the portal page to the top")


@when("submit", "#ui-title-form")
def set_title(event):
    event.preventDefault()
    BX24.setTitle(document.getElementById("ui-title").value)


@when("click", "#ui-reload")
def reload_portal(event):
    BX24.reloadWindow()


# -- pickers -------------------------------------------------------------------------------
def _wait_for(what, awaitable):
    """Show what the person picks; "Stop waiting" cancels (the portal forgets nothing: it
    never answers a closed picker, so the wait is ours to end)."""
    global _waiting
    if _waiting is not None:
        _waiting.cancel()

    async def run():
        _show("ui-picked", f"{what}: waiting for you to choose in the portal…")
        document.getElementById("ui-stop").hidden = False
        try:
            _show("ui-picked", f"{what}: {_pretty(await awaitable)}")
        except asyncio.CancelledError:
            _show("ui-picked", f"{what}: stopped waiting")
        finally:
            document.getElementById("ui-stop").hidden = True

    _waiting = asyncio.ensure_future(run())


@when("click", "#ui-select-user")
def select_user(event):
    _wait_for("user", BX24.selectUser())


@when("click", "#ui-select-users")
def select_users(event):
    # The BX24.js callback form works too.
    BX24.selectUsers(lambda users: _show("ui-picked", f"users: {_pretty(users)}"))
    _show("ui-picked", "users: choose several, then press Select in the portal")


@when("click", "#ui-select-access")
def select_access(event):
    _wait_for("access", BX24.selectAccess(["AU"]))


@when("click", "#ui-select-crm")
def select_crm(event):
    params = {"entityType": ["deal", "contact", "company", "lead"], "multiple": True}
    _wait_for("CRM", BX24.selectCRM(params))


@when("click", "#ui-stop")
def stop_waiting(event):
    if _waiting is not None:
        _waiting.cancel()


# -- sliders -------------------------------------------------------------------------------
@when("click", "#ui-open-app")
async def open_app(event):
    _show("ui-slider-status", "opened in a slider; close it to come back")
    await BX24.openApplication(
        {SLIDER_MARK: True, "from": "demo"}, settings={"width": 700, "title": "pyb24 demo"}
    )
    _show("ui-slider-status", "the slider was closed")


@when("click", "#ui-close-app")
def close_app(event):
    BX24.closeApplication()


@when("click", "#ui-open-path")
async def open_path(event):
    path = document.getElementById("ui-path").value
    _show("ui-slider-status", f"opening {path}…")
    try:
        await BX24.openPath(path)
    except OpenPathError as error:
        _show("ui-slider-status", f"{error.code}: {error}")
    else:
        _show("ui-slider-status", f"{path} was closed")


# -- messenger -----------------------------------------------------------------------------
@when("click", "#ui-im")
def messenger(event):
    action = event.target.dataset.im
    if action == "call":
        BX24.im.callTo(2)
    elif action == "video":
        BX24.im.callTo(2, True)
    elif action == "phone":
        BX24.im.phoneTo("+1 555 0100")
    elif action == "chat":
        BX24.im.openMessenger(2)
    elif action == "history":
        BX24.im.openHistory(2)
