"""The deal tab in the emulated portal, through pyb24's pytest plugin (the `b24` fixture)."""

TAB = {"placement": "CRM_DEAL_DETAIL_TAB", "options": {"ID": "1"}}
READY = "#tab:not([hidden])"


def open_tab(b24, **knobs):
    app = b24.open(**{**TAB, **knobs})
    app.frame.wait_for_selector(READY)
    return app


def test_shows_the_deal_from_the_placement_options(b24):
    app = open_tab(b24)
    tab = app.frame
    assert tab.inner_text("#deal-title") == "Northwind Traders — CRM rollout"
    assert tab.inner_text("#deal-amount") == "12,000.00 USD"
    assert tab.inner_text("#deal-company") == "Northwind Traders"
    assert [call["method"] for call in app.rest_calls()][:2] == ["crm.deal.get", "crm.item.get"]


def test_lists_related_deals_a_page_at_a_time(b24):
    for deal in b24.store.list("crm.deal", select=["ID"]):  # every deal: Northwind Traders'
        b24.store.update("crm.deal", deal["ID"], {"COMPANY_ID": 1})
    tab = open_tab(b24).frame
    assert tab.locator("#related tr").count() == 50
    assert tab.inner_text("#related-count") == "50 of 149"
    tab.click("#related-more")
    tab.wait_for_selector("#related-count:text('100 of 149')")
    tab.click("#related-more")
    tab.wait_for_selector("#related-more", state="hidden")
    assert tab.locator("#related tr[data-id='1']").count() == 0  # not the deal itself


async def related_total(deal_id, related_by):
    from deals import RelatedDeals, load_deal

    from pyb24 import BX24

    await BX24.init()
    deal, _company = await load_deal(BX24, deal_id)
    pager = RelatedDeals(BX24, deal, related_by)
    await pager.first()
    return pager.total


def test_the_helper_module_runs_in_the_frame(b24):
    app = open_tab(b24)
    shown = app.frame.inner_text("#related-count")
    assert shown.endswith(f" of {app.run(related_total, 1, 'company')}")
    assert app.run(related_total, 1, "responsible") > 0


def test_picks_a_reviewer_and_remembers_it_for_this_user(b24):
    app = open_tab(b24)
    app.frame.click("#pick-reviewer")
    app.answer_picker(5)
    name = b24.store.user(5).full_name
    app.frame.wait_for_selector(f"#reviewer:text('{name}')")
    [saved] = app.messages("setUserOption")
    assert saved["raw"].startswith('setUserOption:{"name":"reviewer","value":"5"}')
    again = open_tab(b24)
    again.frame.wait_for_selector(f"#reviewer:text('{name}')")


def test_settings_page_saves_an_app_option_the_tab_uses(b24):
    settings = b24.open("/settings.html").frame
    settings.wait_for_selector("#settings:not([hidden])")
    settings.select_option("#related-by", "responsible")
    settings.click("#save")
    settings.wait_for_selector("#status:text('saved: related deals by responsible')")
    tab = open_tab(b24).frame
    assert tab.inner_text("#related-by") == "responsible"


def test_settings_are_read_only_for_other_users(b24):
    settings = b24.open("/settings.html", admin=False).frame
    settings.wait_for_selector("#settings:not([hidden])")
    assert settings.is_disabled("#save") and settings.is_disabled("#related-by")


def test_a_missing_deal_is_reported_not_shown(b24):
    tab = b24.open(**{**TAB, "options": {"ID": "999999"}}).frame
    tab.wait_for_selector("#error:text-matches('Deal 999999: .*not found', 'i')")
    assert tab.is_hidden("#tab")
