"""Window, dialog, slider, messenger and placement commands in a real browser: the app frame
runs pyb24, the emulated portal renders each command, and the tests play the person by
clicking in the portal page (two origins, Chromium)."""

import json

from conftest import BOOT_TIMEOUT_MS

START = "from pyb24 import BX24\nimport asyncio\nawait BX24.init()\n"
DIALOG = '.b24-dialog-overlay[data-dialog="{}"]'


def run_py(frame, code):
    """Run Python in any harness frame (the page's own app or one opened in a slider)."""
    frame.wait_for_function("window.runPy !== undefined", timeout=BOOT_TIMEOUT_MS)
    result = json.loads(frame.evaluate("code => window.runPy(code)", code))
    if not result["ok"]:
        raise AssertionError(f"{result['error']}: {result['message']}")
    return result["value"]


def slider_frame(page, app_sid):
    """The frame of the layout with ``app_sid`` (an app opened in a slider), once attached."""
    for _ in range(200):
        for frame in page.frames:
            if frame.name.endswith("|" + app_sid):
                return frame
        page.wait_for_timeout(50)
    raise AssertionError(f"no frame for layout {app_sid}")


def pending(portal, frame=None) -> int:
    return run_py(frame or portal.app, "BX24._bridge.pending_count")


def container_size(portal, selector="#app-container"):
    return portal.page.evaluate(
        "s => { const r = document.querySelector(s).getBoundingClientRect();"
        " return [Math.round(r.width), Math.round(r.height)]; }",
        selector,
    )


def test_window_commands_messenger_and_open_path(portal):
    portal.open()
    page = portal.page
    result = portal.python(
        START
        + """
size = await BX24.resizeWindow("640px", "420")
refused = await BX24.resizeWindow(0, 420)
title = await BX24.setTitle("Deals: 2024")
scroll = await BX24.scrollParentWindow("0")
interface = await BX24.placement.getInterface()
not_sent = await BX24.placement.call("resizeWindow", {"width": 1, "height": 1})
BX24.im.callTo(2, True)
BX24.im.phoneTo("+1 555 0100")
BX24.im.openMessenger(3)
BX24.im.openHistory("chat7")
{"size": size, "refused": refused, "title": title, "scroll": scroll, "interface": interface,
 "not_sent": not_sent, "scroll_size": BX24.getScrollSize(), "can_use": BX24.canUse("upload"),
 "pending": BX24._bridge.pending_count}
"""
    )
    assert result["size"] == {"width": 640, "height": 420}
    assert container_size(portal) == [640, 420]  # the layout really changed
    assert result["refused"] is None and result["not_sent"] is None
    assert result["title"] == {"title": "Deals: 2024"}
    assert page.inner_text("#pagetitle") == "Deals: 2024"
    assert result["scroll"] == {"scroll": 0}
    assert result["interface"] == {"command": [], "event": []}  # DEFAULT (§3.18)
    assert set(result["scroll_size"]) == {"scrollWidth", "scrollHeight"}
    assert result["can_use"] is True and result["pending"] == 0
    assert [e["raw"].split(":")[1] for e in portal.log("resizeWindow")] == [
        '{"width"',  # one message only: the refused one was never sent
    ]
    page.wait_for_function("window.portal.toasts.length === 4")
    toasts = page.evaluate("window.portal.toasts")
    user2 = portal.emulator.store.user(2).full_name
    assert toasts[0] == f"Video call to {user2}" and "+1 555 0100" in toasts[1]
    for command in ("imCallTo", "imPhoneTo", "imOpenMessenger", "imOpenHistory"):
        [entry] = portal.log(command)
        assert entry["cb"] == "" and entry["status"] == "handled"  # fire-and-forget
    assert portal.log(direction="out", command="imCallTo") == []

    # fitWindow: full width, the page's scroll height.
    fitted = portal.python("await BX24.fitWindow()")
    assert fitted["height"] == portal.python("BX24.getScrollSize()['scrollHeight']")
    assert portal.log("resizeWindow")[-1]["raw"].startswith('resizeWindow:{"width":"100%",')

    # openPath: a refused path raises at once; an allowed one opens a slider until closed.
    error = portal.python_error(START + 'await BX24.openPath("/settings/configs/")')
    assert error["error"] == "OpenPathError" and "PATH_NOT_AVAILABLE" in error["message"]
    portal.python('opened = asyncio.ensure_future(BX24.openPath("/crm/deal/details/1/"))')
    page.wait_for_selector(".b24-slider-path:text-matches('^/crm/deal/details/1/')")
    assert portal.python("opened.done()") is False
    page.click(".b24-slider-close")
    assert portal.python("await opened") == {"result": "close"}
    assert pending(portal) == 0

    # reloadWindow reloads the portal page: a fresh layout asks for init data again.
    old_sid = page.evaluate("window.portal.appSid")
    with page.expect_navigation():
        portal.python("BX24.reloadWindow()")
    assert page.evaluate("window.portal.appSid") != old_sid
    assert portal.python(START + "BX24.getLang()") == "en"  # the app starts over


def test_pickers_answer_what_the_person_clicks_and_cancel_never_answers(portal):
    portal.open()
    page = portal.page
    store = portal.emulator.store
    portal.python(START + "picked = asyncio.ensure_future(BX24.selectUser('Reviewer'))")
    page.click(DIALOG.format("selectUser") + ' .b24-dialog-item[data-id="5"]')  # one click
    user = portal.python("await picked")
    assert user["id"] == "5" and user["name"] == store.user(5).full_name
    assert page.locator(DIALOG.format("selectUser")).count() == 0

    # Several users: tick two, press Select.
    portal.python("picked = asyncio.ensure_future(BX24.selectUsers())")
    dialog = DIALOG.format("selectUsers")
    page.fill(dialog + " .b24-dialog-search", store.user(3).last_name)
    page.click(dialog + ' .b24-dialog-item[data-id="3"]')
    page.fill(dialog + " .b24-dialog-search", "")
    page.click(dialog + ' .b24-dialog-item[data-id="2"]')
    page.click(dialog + " .b24-dialog-select")
    assert [u["id"] for u in portal.python("await picked")] == ["3", "2"]

    # The person closes the picker: the portal never answers; the app stops waiting.
    portal.python("picked = asyncio.ensure_future(BX24.selectUser())")
    page.click(DIALOG.format("selectUser") + " .b24-dialog-cancel")
    page.wait_for_function(
        "window.portal.log.some(e => e.cmd === 'selectUser' && /no reply/.test(e.note || ''))"
    )
    assert pending(portal) == 1  # still waiting, as BX24.js would
    timed_out = portal.python(
        "try:\n    await asyncio.wait_for(picked, 0.2)\nexcept asyncio.TimeoutError:\n"
        "    gave_up = True\ngave_up"
    )
    assert timed_out is True and pending(portal) == 0  # cancelling forgot the callback id
    assert len(portal.log("selectUser", direction="out")) == 2  # replies to the first two only

    # Access: "AU" is already granted (blocked); pick a user and a department.
    portal.python("picked = asyncio.ensure_future(BX24.selectAccess('Who?', ['AU'], None))")
    dialog = DIALOG.format("selectAccess")
    page.click(dialog + ' .b24-dialog-tab[data-tab="departments"]')
    page.click(dialog + ' .b24-dialog-item[data-id="DR2"]')
    page.click(dialog + ' .b24-dialog-tab[data-tab="other"]')
    blocked = page.locator(dialog + ' .b24-dialog-item[data-id="AU"] input')
    assert blocked.is_disabled() and blocked.is_checked()
    page.click(dialog + ' .b24-dialog-tab[data-tab="users"]')
    page.click(dialog + ' .b24-dialog-item[data-id="U4"]')
    page.click(dialog + " .b24-dialog-select")
    access = portal.python("await picked")
    assert [(a["provider"], a["id"]) for a in access] == [("user", "U4"), ("intranet", "DR2")]
    assert portal.log("selectAccess")[0]["raw"].startswith('selectAccess:{"value":["AU"]}:')

    # CRM: deal 1 comes preselected; add a contact; buckets arrive as objects, become lists.
    portal.python(
        "picked = asyncio.ensure_future(BX24.selectCRM({'entityType': ['deal', 'contact',"
        " 'company'], 'multiple': True, 'value': {'deal': [1]}}))"
    )
    dialog = DIALOG.format("selectCRM")
    assert page.locator(dialog + ' .b24-dialog-item[data-id="D_1"] input').is_checked()
    page.click(dialog + ' .b24-dialog-tab[data-tab="contact"]')
    page.click(dialog + ' .b24-dialog-item[data-id="C_2"]')
    page.click(dialog + " .b24-dialog-select")
    crm = portal.python("await picked")
    assert [d["id"] for d in crm["deal"]] == ["D_1"]
    assert [c["id"] for c in crm["contact"]] == ["C_2"] and crm["company"] == []
    assert crm["contact"][0]["url"] == "/crm/contact/details/2/"
    [raw_reply] = portal.log("selectCRM", direction="out")
    assert '"deal":{"0":{' in raw_reply["raw"]  # the historical shape pyb24 normalises
    assert pending(portal) == 0


def test_open_application_runs_a_second_layout_in_a_slider(portal):
    portal.open()
    page = portal.page
    portal.python(
        START + "closed = asyncio.ensure_future(BX24.openApplication({'deal': 7}, None,"
        " {'title': 'Deal 7', 'width': 600, 'label': {'text': 'pyb24', 'bgColor': 'violet'}}))"
    )
    page.wait_for_function("window.portal.layouts().length === 2")
    main, child = page.evaluate("window.portal.layouts()")
    assert child["appSid"] != main["appSid"] and child["placement"] == "DEFAULT"
    assert page.inner_text(".b24-slider-title") == "Deal 7"
    assert page.inner_text(".b24-slider-label") == "pyb24"
    assert page.evaluate("document.querySelector('.b24-slider').offsetWidth") == 600
    slider = slider_frame(page, child["appSid"])
    info = run_py(
        slider,
        START
        + "r = await BX24.resizeWindow(500, 300)\n"
        + "[BX24.placement.info(), BX24.getAuth().access_token, r]",
    )
    assert info[0] == {"placement": "DEFAULT", "options": {"deal": 7}}
    assert info[1] != page.evaluate("window.portal.auth.AUTH_ID")  # its own tokens
    assert info[2] == {"width": 500, "height": 300}
    assert container_size(portal, ".b24-slider-container") == [500, 300]  # its own container
    slider_entries = [e for e in portal.log() if e["layout"] == child["name"]]
    assert [e["cmd"] for e in slider_entries] == ["getInitData", "resizeWindow"]
    assert portal.log("getInitData")[0]["layout"] == "main"
    assert portal.python("closed.done()") is False

    # closeApplication from inside the slider closes it; the opener gets an empty answer.
    # Started, not awaited: the frame is removed while it runs, so its answer never comes back.
    slider.evaluate("code => { window.runPy(code); }", "BX24.closeApplication()")
    assert portal.python("await closed") is None
    assert page.evaluate("window.portal.layouts().length") == 1
    assert page.locator(".b24-slider-overlay").count() == 0
    [reply_to_opener] = portal.log("openApplication", direction="out")
    assert reply_to_opener["raw"].endswith(":")  # empty payload
    [lost] = portal.log("closeApplication", direction="out")
    assert lost["status"] == "lost"  # the closed frame cannot hear it

    # A slider the person closes answers the same way; nothing stays pending in the opener.
    portal.python("closed = asyncio.ensure_future(BX24.openApplication())")
    page.wait_for_function("window.portal.layouts().length === 2")
    page.click(".b24-slider-close")
    assert portal.python("await closed") is None and pending(portal) == 0


def test_placement_events_are_delivered_every_time_until_unbound(portal):
    portal.open(placement="CALL_CARD", placement_options={"CALL_ID": "c1"}, device="mobile")
    page = portal.page
    result = portal.python(
        START
        + """
seen = []
binding = BX24.placement.bindEvent("CallCard::CallStateChanged", seen.append)
other = BX24.placement.bindEvent("CallCard::EntityChanged")
status = await BX24.placement.call("getStatus")
done = await BX24.placement.call("disableAutoClose")
[await BX24.placement.getInterface(), status, done]
"""
    )
    interface, status, done = result
    assert interface["command"] == ["getStatus", "disableAutoClose", "enableAutoClose"]
    assert "CallCard::CallStateChanged" in interface["event"]
    assert status == {"CALL_ID": "c1", "AUTO_CLOSE": True} and done == []
    page.wait_for_function("window.portal.fireEvent('CallCard::CallStateChanged', 'x') === 1")
    for state in ("connecting", "connected"):
        assert page.evaluate("s => window.portal.fireEvent('CallCard::CallStateChanged', s)", state)
    # The inspector's tool fires it too, as a developer would.
    page.select_option("#event-name", "CallCard::CallStateChanged")
    page.fill("#event-payload", '"idle"')
    page.click("#event-fire")
    page.wait_for_function(
        "window.portal.log.filter(e => e.dir === 'out' && e.cmd === "
        "'placementBindEvent').length === 4"
    )
    # A round trip after the events: the portal's messages arrive in the order it sent them.
    assert portal.python("await BX24.placement.getInterface()\nseen") == [
        "x",
        "connecting",
        "connected",
        "idle",
    ]
    [subscription] = portal.log("placementBindEvent")[:1]
    replies = portal.log("placementBindEvent", direction="out")
    assert {r["cb"] for r in replies} == {subscription["cb"]}  # one id, many answers
    # await the next occurrence of the other event
    portal.python("nxt = asyncio.ensure_future(other.next())")
    page.evaluate("window.portal.fireEvent('CallCard::EntityChanged', {CRM_ENTITY_ID: 2})")
    assert portal.python("await nxt") == {"CRM_ENTITY_ID": 2}
    assert pending(portal) == 2
    assert portal.python("binding.unbind()\nBX24.placement.unbindEvent(other)") == 1
    assert pending(portal) == 0
    page.evaluate("window.portal.fireEvent('CallCard::CallStateChanged', 'late')")
    assert portal.python("await BX24.placement.getInterface()\nseen[-1]") == "idle"  # forgotten

    # device=mobile: the portal cannot open sliders.
    error = portal.python_error('await BX24.openPath("/crm/deal/details/1/")')
    assert "METHOD_NOT_SUPPORTED_ON_DEVICE" in error["message"]


def test_set_value_sends_the_bare_value_and_structured_values_as_json_text(portal):
    portal.open(placement="USERFIELD_TYPE", placement_options={"MODE": "edit", "VALUE": "old"})
    page = portal.page
    result = portal.python(
        START
        + """
first = await BX24.placement.call("setValue", "new: text")
stored = await BX24.placement.call("getValue")
await BX24.placement.call("setValue", {"stars": 4})
[first, stored, await BX24.placement.call("getValue")]
"""
    )
    assert result == [[], "new: text", '{"stars":4}']
    raws = [e["raw"] for e in portal.log("setValue")]
    assert raws[0].startswith('setValue:"new: text":') and len(raws[0].split(":")) == 5
    assert raws[1].startswith('setValue:"{\\"stars\\":4}":')
    assert page.evaluate("window.portal.placementValue") == '{"stars":4}'


def test_userfield_example_edits_its_value_and_fits_its_frame(portal):
    options = {
        "MODE": "edit",
        "ENTITY_ID": "CRM_DEAL",
        "FIELD_NAME": "UF_CRM_RATING",
        "ENTITY_VALUE_ID": "1",
        "VALUE": '{"stars": 2, "note": "meh"}',
        "MULTIPLE": "N",
    }
    portal.open(
        app="/examples/userfield/index.html", placement="USERFIELD_TYPE", placement_options=options
    )
    app = portal.app
    app.wait_for_selector("#field:not([hidden])", timeout=BOOT_TIMEOUT_MS)
    assert app.locator("#stars button.on").count() == 2
    assert app.input_value("#note") == "meh"
    app.click('#stars button[data-stars="4"]')
    app.wait_for_selector("#saved:text('saved')")
    app.fill("#note", "great: fast delivery")
    app.press("#note", "Tab")
    portal.page.wait_for_function("(window.portal.placementValue || '').includes('great')")
    value = json.loads(portal.page.evaluate("window.portal.placementValue"))
    assert value == {"stars": 4, "note": "great: fast delivery"}
    assert portal.log("setValue")[0]["raw"].startswith(
        'setValue:"{\\"stars\\":4,\\"note\\":\\"meh\\"}":'
    )
    # autoFit: the frame hugs the field (one or two resizes, none since).
    portal.page.wait_for_function(
        "window.portal.log.filter(e => e.cmd === 'resizeWindow').length >= 1"
    )
    height = app.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
    assert container_size(portal)[1] == height < 120
    assert len(portal.log("resizeWindow")) <= 2


def test_auto_fit_converges_in_one_or_two_resizes(portal):
    portal.open()
    page = portal.page

    def resizes():
        return len(portal.log("resizeWindow"))

    def settled(count):
        page.wait_for_function(
            f"window.portal.log.filter(e => e.cmd === 'resizeWindow'"
            f" && e.dir === 'out').length >= {count}"
        )
        page.wait_for_timeout(400)  # nothing more should come

    def content_height():
        return portal.app.evaluate(
            "Math.ceil(document.documentElement.getBoundingClientRect().height)"
        )

    portal.python(START + "BX24.autoFit()")
    settled(1)
    first = resizes()
    assert first in (1, 2) and container_size(portal)[1] == content_height()
    # The page grows by a long text: it wraps differently with and without a scrollbar.
    portal.python(
        "import js\n"
        "p = js.document.createElement('p')\n"
        "p.id = 'filler'\n"
        "p.textContent = 'pyb24 fits the frame to the page. ' * 300\n"
        "js.document.body.appendChild(p)"
    )
    settled(first + 1)
    grown = resizes() - first
    assert grown in (1, 2), grown
    assert container_size(portal)[1] == content_height() > 600
    # ...and shrinks when the text goes.
    portal.python("js.document.getElementById('filler').remove()")
    settled(first + grown + 1)
    assert resizes() - first - grown in (1, 2)
    assert container_size(portal)[1] == content_height() < 600
    assert portal.python("BX24.autoFit(False)\nBX24._bridge.pending_count") == 0


def test_demo_ui_section_can_be_clicked_through(portal):
    portal.open(app="/index.html")
    page = portal.page
    app = portal.app
    app.wait_for_selector("#app:not([hidden])", timeout=BOOT_TIMEOUT_MS)
    app.wait_for_selector("#ui-interface:text-matches('commands: none')")
    app.fill("#ui-title", "Python deals")
    app.click("#ui-title-form button")
    page.wait_for_selector("#pagetitle:text('Python deals')")
    app.click("#ui-select-user")
    page.click(DIALOG.format("selectUser") + ' .b24-dialog-item[data-id="2"]')
    app.wait_for_selector('#ui-picked:text-matches(\'"id": "2"\')')
    app.click("#ui-select-crm")
    page.click(DIALOG.format("selectCRM") + " .b24-dialog-cancel")
    app.click("#ui-stop")
    app.wait_for_selector("#ui-picked:text('CRM: stopped waiting')")
    app.fill("#ui-path", "/settings/")
    app.click("#ui-open-path")
    app.wait_for_selector("#ui-slider-status:text-matches('PATH_NOT_AVAILABLE')")
    app.click("#ui-im button[data-im='phone']")
    page.wait_for_selector(".b24-toast:has-text('555 0100')")
    app.click("#ui-open-app")
    page.wait_for_function("window.portal.layouts().length === 2")
    child = page.evaluate("window.portal.layouts()[1]")
    slider = slider_frame(page, child["appSid"])
    slider.wait_for_selector("#ui-close-app:not([hidden])", timeout=BOOT_TIMEOUT_MS)
    slider.click("#ui-close-app")
    app.wait_for_selector("#ui-slider-status:text('the slider was closed')")
