"""Window, dialog, slider, messenger and placement commands in a real browser: the app frame
runs pyb24, the emulated portal renders each command, and the tests play the person by
clicking in the portal page (two origins, Chromium). The functions below run inside the app
frame (the `b24` fixture's ``run``/``start``)."""

import json

import pytest

from pyb24_toolkit.plugin import BOOT_TIMEOUT_MS, AppError

HARNESS = "/tests/e2e/apps/harness.html"
DIALOG = '.b24-dialog-overlay[data-dialog="{}"]'


def container_size(page, selector="#app-container"):
    return page.evaluate(
        "s => { const r = document.querySelector(s).getBoundingClientRect();"
        " return [Math.round(r.width), Math.round(r.height)]; }",
        selector,
    )


async def call(name, *args):
    """``await BX24.<name>(*args)`` after init; ``name`` may be dotted (``placement.call``)."""
    from pyb24 import BX24

    await BX24.init()
    target = BX24
    for part in name.split("."):
        target = getattr(target, part)
    result = target(*args)
    return (await result) if hasattr(result, "__await__") else result


async def window_commands():
    from pyb24 import BX24

    await BX24.init()
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
    return {
        "size": size,
        "refused": refused,
        "title": title,
        "scroll": scroll,
        "interface": interface,
        "not_sent": not_sent,
        "scroll_size": BX24.getScrollSize(),
        "can_use": BX24.canUse("upload"),
    }


def test_window_commands_messenger_and_open_path(b24):
    app = b24.open(HARNESS)
    page = app.page
    result = app.run(window_commands)
    assert result["size"] == {"width": 640, "height": 420}
    assert container_size(page) == [640, 420]  # the layout really changed
    assert result["refused"] is None and result["not_sent"] is None
    assert result["title"] == {"title": "Deals: 2024"}
    assert page.inner_text("#pagetitle") == "Deals: 2024"
    assert result["scroll"] == {"scroll": 0}
    assert result["interface"] == {"command": [], "event": []}  # DEFAULT (§3.18)
    assert set(result["scroll_size"]) == {"scrollWidth", "scrollHeight"}
    assert result["can_use"] is True
    assert [e["raw"].split(":")[1] for e in app.messages("resizeWindow")] == [
        '{"width"',  # one message only: the refused one was never sent
    ]
    page.wait_for_function("window.portal.toasts.length === 4")
    toasts = page.evaluate("window.portal.toasts")
    user2 = b24.store.user(2).full_name
    assert toasts[0] == f"Video call to {user2}" and "+1 555 0100" in toasts[1]
    for command in ("imCallTo", "imPhoneTo", "imOpenMessenger", "imOpenHistory"):
        [entry] = app.messages(command)
        assert entry["cb"] == "" and entry["status"] == "handled"  # fire-and-forget
    assert app.messages("imCallTo", direction="out") == []

    # fitWindow: full width, the page's scroll height.
    fitted = app.run(call, "fitWindow")
    assert fitted["height"] == app.run(call, "getScrollSize")["scrollHeight"]
    assert app.messages("resizeWindow")[-1]["raw"].startswith('resizeWindow:{"width":"100%",')

    # openPath: a refused path raises at once; an allowed one opens a slider until closed.
    with pytest.raises(AppError) as refused:
        app.run(call, "openPath", "/settings/configs/")
    assert refused.value.type.endswith("OpenPathError")
    assert "PATH_NOT_AVAILABLE" in refused.value.message
    opened = app.start(call, "openPath", "/crm/deal/details/1/")
    page.wait_for_selector(".b24-slider-path:text-matches('^/crm/deal/details/1/')")
    assert opened.done() is False
    page.click(".b24-slider-close")
    assert opened.result() == {"result": "close"}

    # reloadWindow reloads the portal page: a fresh layout asks for init data again.
    old_sid = page.evaluate("window.portal.appSid")
    with page.expect_navigation():
        app.start(call, "reloadWindow")  # no result to wait for: the frame goes with the page
    assert page.evaluate("window.portal.appSid") != old_sid
    assert app.run(call, "getLang") == "en"  # the app starts over


def test_pickers_answer_what_the_person_clicks_and_cancel_never_answers(b24):
    app = b24.open(HARNESS)
    page = app.page
    store = b24.store
    picked = app.start(call, "selectUser", "Reviewer")
    page.click(DIALOG.format("selectUser") + ' .b24-dialog-item[data-id="5"]')  # one click
    user = picked.result()
    assert user["id"] == "5" and user["name"] == store.user(5).full_name
    assert page.locator(DIALOG.format("selectUser")).count() == 0

    # Several users: tick two, press Select.
    picked = app.start(call, "selectUsers")
    dialog = DIALOG.format("selectUsers")
    page.fill(dialog + " .b24-dialog-search", store.user(3).last_name)
    page.click(dialog + ' .b24-dialog-item[data-id="3"]')
    page.fill(dialog + " .b24-dialog-search", "")
    page.click(dialog + ' .b24-dialog-item[data-id="2"]')
    page.click(dialog + " .b24-dialog-select")
    assert [u["id"] for u in picked.result()] == ["3", "2"]

    # The person closes the picker: the portal never answers; the app stops waiting.
    picked = app.start(call, "selectUser")
    app.answer_picker(None)
    page.wait_for_function(
        "window.portal.log.some(e => e.cmd === 'selectUser' && /no reply/.test(e.note || ''))"
    )
    assert picked.done() is False  # still waiting, as BX24.js would
    picked.cancel()
    with pytest.raises(AppError, match="CancelledError"):
        picked.result()
    assert len(app.messages("selectUser", direction="out")) == 2  # replies to the first two only

    # Access: "AU" is already granted (blocked); pick a user and a department.
    picked = app.start(call, "selectAccess", "Who?", ["AU"], None)
    dialog = DIALOG.format("selectAccess")
    page.click(dialog + ' .b24-dialog-tab[data-tab="departments"]')
    page.click(dialog + ' .b24-dialog-item[data-id="DR2"]')
    page.click(dialog + ' .b24-dialog-tab[data-tab="other"]')
    blocked = page.locator(dialog + ' .b24-dialog-item[data-id="AU"] input')
    assert blocked.is_disabled() and blocked.is_checked()
    page.click(dialog + ' .b24-dialog-tab[data-tab="users"]')
    page.click(dialog + ' .b24-dialog-item[data-id="U4"]')
    page.click(dialog + " .b24-dialog-select")
    access = picked.result()
    assert [(a["provider"], a["id"]) for a in access] == [("user", "U4"), ("intranet", "DR2")]
    assert app.messages("selectAccess")[0]["raw"].startswith('selectAccess:{"value":["AU"]}:')

    # CRM: deal 1 comes preselected; add a contact; buckets arrive as objects, become lists.
    crm_args = {"entityType": ["deal", "contact", "company"], "multiple": True}
    picked = app.start(call, "selectCRM", {**crm_args, "value": {"deal": [1]}})
    dialog = DIALOG.format("selectCRM")
    assert page.locator(dialog + ' .b24-dialog-item[data-id="D_1"] input').is_checked()
    app.answer_picker(["C_2"])  # finds the contact's tab, ticks it, presses Select
    crm = picked.result()
    assert [d["id"] for d in crm["deal"]] == ["D_1"]
    assert [c["id"] for c in crm["contact"]] == ["C_2"] and crm["company"] == []
    assert crm["contact"][0]["url"] == "/crm/contact/details/2/"
    [raw_reply] = app.messages("selectCRM", direction="out")
    assert '"deal":{"0":{' in raw_reply["raw"]  # the historical shape pyb24 normalises


async def inside_the_slider():
    from pyb24 import BX24

    await BX24.init()
    resized = await BX24.resizeWindow(500, 300)
    return [BX24.placement.info(), BX24.getAuth().access_token, resized]


def test_open_application_runs_a_second_layout_in_a_slider(b24):
    app = b24.open(HARNESS)
    page = app.page
    slider_options = {
        "title": "Deal 7",
        "width": 600,
        "label": {"text": "pyb24", "bgColor": "violet"},
    }
    closed = app.start(call, "openApplication", {"deal": 7}, None, slider_options)
    page.wait_for_function("window.portal.layouts().length === 2")
    main, child = page.evaluate("window.portal.layouts()")
    assert child["appSid"] != main["appSid"] and child["placement"] == "DEFAULT"
    assert page.inner_text(".b24-slider-title") == "Deal 7"
    assert page.inner_text(".b24-slider-label") == "pyb24"
    assert page.evaluate("document.querySelector('.b24-slider').offsetWidth") == 600
    slider = app.slider()
    info = slider.run(inside_the_slider)
    assert info[0] == {"placement": "DEFAULT", "options": {"deal": 7}}
    assert info[1] != page.evaluate("window.portal.auth.AUTH_ID")  # its own tokens
    assert info[2] == {"width": 500, "height": 300}
    assert container_size(page, ".b24-slider-container") == [500, 300]  # its own container
    slider_entries = [e for e in app.messages() if e["layout"] == child["name"]]
    assert [e["cmd"] for e in slider_entries] == ["getInitData", "resizeWindow"]
    assert app.messages("getInitData")[0]["layout"] == "main"
    assert closed.done() is False

    # closeApplication from inside the slider closes it; the opener gets an empty answer.
    # Started, not awaited: the frame is removed while it runs, so its answer never comes back.
    slider.start(call, "closeApplication")
    assert closed.result() is None
    assert page.evaluate("window.portal.layouts().length") == 1
    assert page.locator(".b24-slider-overlay").count() == 0
    [reply_to_opener] = app.messages("openApplication", direction="out")
    assert reply_to_opener["raw"].endswith(":")  # empty payload
    [lost] = app.messages("closeApplication", direction="out")
    assert lost["status"] == "lost"  # the closed frame cannot hear it

    # A slider the person closes answers the same way.
    closed = app.start(call, "openApplication")
    page.wait_for_function("window.portal.layouts().length === 2")
    page.click(".b24-slider-close")
    assert closed.result() is None


async def bind_call_card_events():
    import page_state

    from pyb24 import BX24

    await BX24.init()
    page_state.seen = []
    page_state.binding = BX24.placement.bindEvent(
        "CallCard::CallStateChanged", page_state.seen.append
    )
    page_state.other = BX24.placement.bindEvent("CallCard::EntityChanged")
    status = await BX24.placement.call("getStatus")
    done = await BX24.placement.call("disableAutoClose")
    return [await BX24.placement.getInterface(), status, done]


async def states_seen():
    import page_state

    from pyb24 import BX24

    await BX24.placement.getInterface()  # a round trip: every earlier message has arrived
    return page_state.seen


async def next_entity_change():
    import page_state

    return await page_state.other.next()


def unbind_both():
    import page_state

    from pyb24 import BX24

    page_state.binding.unbind()
    return BX24.placement.unbindEvent(page_state.other)


def test_placement_events_are_delivered_every_time_until_unbound(b24):
    app = b24.open(HARNESS, placement="CALL_CARD", options={"CALL_ID": "c1"}, device="mobile")
    page = app.page
    interface, status, done = app.run(bind_call_card_events)
    assert interface["command"] == ["getStatus", "disableAutoClose", "enableAutoClose"]
    assert "CallCard::CallStateChanged" in interface["event"]
    assert status == {"CALL_ID": "c1", "AUTO_CLOSE": True} and done == []
    page.wait_for_function("window.portal.fireEvent('CallCard::CallStateChanged', 'x') === 1")
    for state in ("connecting", "connected"):
        assert app.fire_event("CallCard::CallStateChanged", state) == 1
    # The inspector's tool fires it too, as a developer would.
    page.select_option("#event-name", "CallCard::CallStateChanged")
    page.fill("#event-payload", '"idle"')
    page.click("#event-fire")
    page.wait_for_function(
        "window.portal.log.filter(e => e.dir === 'out' && e.cmd === "
        "'placementBindEvent').length === 4"
    )
    # The portal's messages arrive in the order it sent them.
    assert app.run(states_seen) == ["x", "connecting", "connected", "idle"]
    [subscription] = app.messages("placementBindEvent")[:1]
    replies = app.messages("placementBindEvent", direction="out")
    assert {r["cb"] for r in replies} == {subscription["cb"]}  # one id, many answers
    # await the next occurrence of the other event
    entity = app.start(next_entity_change)
    app.run(states_seen)  # the task has started waiting
    app.fire_event("CallCard::EntityChanged", {"CRM_ENTITY_ID": 2})
    assert entity.result() == {"CRM_ENTITY_ID": 2}
    assert app.run(unbind_both) == 1
    app.fire_event("CallCard::CallStateChanged", "late")
    assert app.run(states_seen)[-1] == "idle"  # forgotten

    # device=mobile: the portal cannot open sliders.
    with pytest.raises(AppError, match="METHOD_NOT_SUPPORTED_ON_DEVICE"):
        app.run(call, "openPath", "/crm/deal/details/1/")


async def set_and_get_values():
    from pyb24 import BX24

    await BX24.init()
    first = await BX24.placement.call("setValue", "new: text")
    stored = await BX24.placement.call("getValue")
    await BX24.placement.call("setValue", {"stars": 4})
    return [first, stored, await BX24.placement.call("getValue")]


def test_set_value_sends_the_bare_value_and_structured_values_as_json_text(b24):
    app = b24.open(HARNESS, placement="USERFIELD_TYPE", options={"MODE": "edit", "VALUE": "old"})
    assert app.run(set_and_get_values) == [[], "new: text", '{"stars":4}']
    raws = [e["raw"] for e in app.messages("setValue")]
    assert raws[0].startswith('setValue:"new: text":') and len(raws[0].split(":")) == 5
    assert raws[1].startswith('setValue:"{\\"stars\\":4}":')
    assert app.page.evaluate("window.portal.placementValue") == '{"stars":4}'


def test_userfield_example_edits_its_value_and_fits_its_frame(b24):
    options = {
        "MODE": "edit",
        "ENTITY_ID": "CRM_DEAL",
        "FIELD_NAME": "UF_CRM_RATING",
        "ENTITY_VALUE_ID": "1",
        "VALUE": '{"stars": 2, "note": "meh"}',
        "MULTIPLE": "N",
    }
    app = b24.open("/examples/userfield/index.html", placement="USERFIELD_TYPE", options=options)
    field = app.frame
    field.wait_for_selector("#field:not([hidden])", timeout=BOOT_TIMEOUT_MS)
    assert field.locator("#stars button.on").count() == 2
    assert field.input_value("#note") == "meh"
    field.click('#stars button[data-stars="4"]')
    field.wait_for_selector("#saved:text('saved')")
    field.fill("#note", "great: fast delivery")
    field.press("#note", "Tab")
    app.page.wait_for_function("(window.portal.placementValue || '').includes('great')")
    value = json.loads(app.page.evaluate("window.portal.placementValue"))
    assert value == {"stars": 4, "note": "great: fast delivery"}
    assert app.messages("setValue")[0]["raw"].startswith(
        'setValue:"{\\"stars\\":4,\\"note\\":\\"meh\\"}":'
    )
    # autoFit: the frame hugs the field (one or two resizes, none since).
    app.page.wait_for_function(
        "window.portal.log.filter(e => e.cmd === 'resizeWindow').length >= 1"
    )
    height = field.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
    assert container_size(app.page)[1] == height < 120
    assert len(app.messages("resizeWindow")) <= 2


def test_auto_fit_converges_in_one_or_two_resizes(b24):
    app = b24.open(HARNESS)
    page = app.page

    def resizes():
        return len(app.messages("resizeWindow"))

    def settled(count):
        page.wait_for_function(
            f"window.portal.log.filter(e => e.cmd === 'resizeWindow'"
            f" && e.dir === 'out').length >= {count}"
        )
        page.wait_for_timeout(400)  # nothing more should come

    def content_height():
        return app.frame.evaluate(
            "Math.ceil(document.documentElement.getBoundingClientRect().height)"
        )

    app.run(call, "autoFit")
    settled(1)
    first = resizes()
    assert first in (1, 2) and container_size(page)[1] == content_height()
    # The page grows by a long text: it wraps differently with and without a scrollbar.
    app.frame.evaluate(
        """() => { const p = document.createElement('p'); p.id = 'filler';
                   p.textContent = 'pyb24 fits the frame to the page. '.repeat(300);
                   document.body.appendChild(p); }"""
    )
    settled(first + 1)
    grown = resizes() - first
    assert grown in (1, 2), grown
    assert container_size(page)[1] == content_height() > 600
    # ...and shrinks when the text goes.
    app.frame.evaluate("document.getElementById('filler').remove()")
    settled(first + grown + 1)
    assert resizes() - first - grown in (1, 2)
    assert container_size(page)[1] == content_height() < 600
    app.run(call, "autoFit", False)


def test_demo_ui_section_can_be_clicked_through(b24):
    app = b24.open()
    page = app.page
    demo = app.frame
    demo.wait_for_selector("#app:not([hidden])", timeout=BOOT_TIMEOUT_MS)
    demo.wait_for_selector("#ui-interface:text-matches('commands: none')")
    demo.fill("#ui-title", "Python deals")
    demo.click("#ui-title-form button")
    page.wait_for_selector("#pagetitle:text('Python deals')")
    demo.click("#ui-select-user")
    app.answer_picker(2)
    demo.wait_for_selector('#ui-picked:text-matches(\'"id": "2"\')')
    demo.click("#ui-select-crm")
    app.answer_picker(None)
    demo.click("#ui-stop")
    demo.wait_for_selector("#ui-picked:text('CRM: stopped waiting')")
    demo.fill("#ui-path", "/settings/")
    demo.click("#ui-open-path")
    demo.wait_for_selector("#ui-slider-status:text-matches('PATH_NOT_AVAILABLE')")
    demo.click("#ui-im button[data-im='phone']")
    page.wait_for_selector(".b24-toast:has-text('555 0100')")
    demo.click("#ui-open-app")
    slider = app.slider().frame
    slider.wait_for_selector("#ui-close-app:not([hidden])", timeout=BOOT_TIMEOUT_MS)
    slider.click("#ui-close-app")
    demo.wait_for_selector("#ui-slider-status:text('the slider was closed')")
