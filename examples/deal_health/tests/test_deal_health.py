"""The Deal health tab in the emulated portal, through pyb24's pytest plugin (the `b24` fixture).

The seeded deal 1 ("Northwind Traders — CRM rollout", funnel 0, stage NEW) has contact 1
(Emma Larsen), company 1, two product rows making its amount and an open to-do.
"""

TAB = {"placement": "CRM_DEAL_DETAIL_TAB", "options": {"ID": "1"}}
READY = "#tab:not([hidden])"


def open_tab(b24, deal="1"):
    app = b24.open(**{**TAB, "options": {"ID": deal}})
    app.frame.wait_for_selector(READY)
    return app


def test_names_come_from_the_portal(b24):
    app = open_tab(b24)
    tab = app.frame
    assert tab.inner_text("#deal-title") == "Northwind Traders — CRM rollout"
    assert tab.inner_text("#stage") == "New"  # crm.status.list, not the code NEW
    assert tab.inner_text("#company") == "Northwind Traders"  # crm.company.get
    assert tab.inner_text("#contacts").startswith("Emma Larsen")  # contact.items + contact.get
    amount = tab.inner_text("#facts dd[data-field='OPPORTUNITY']")
    assert amount == "12,000.00 USD"  # formatted as crm.deal.fields' type says
    assert tab.locator("#funnel li").count() == 8  # the stages of DEAL_STAGE
    methods = {call["method"] for call in app.rest_calls()}
    assert {"crm.deal.get", "crm.company.get", "batch"} <= methods


def test_the_chart_counts_the_companys_deals_by_stage(b24):
    listed = b24.store.list("crm.deal", {"COMPANY_ID": 1, "CATEGORY_ID": 0}, select=["STAGE_ID"])
    stages = [
        stage["STATUS_ID"]
        for stage in b24.store.call("crm.status.entity.items", {"entityId": "DEAL_STAGE"})
    ]
    wanted = [sum(deal["STAGE_ID"] == stage for deal in listed) for stage in stages]
    tab = open_tab(b24).frame
    assert [int(cell) for cell in tab.locator("#chart td.num").all_inner_texts()] == wanted
    assert sum(wanted) >= 1  # deal 1 itself


def test_the_form_moves_the_deal_and_the_portal_keeps_it(b24):
    tab = open_tab(b24).frame
    tab.select_option("#move-to", "PREPARATION")
    tab.click("#move-button")
    tab.wait_for_selector("#move-status:text('moved to Document preparation')")
    assert tab.inner_text("#stage") == "Document preparation"
    assert b24.store.get("crm.deal", 1)["STAGE_ID"] == "PREPARATION"


def test_a_missing_deal_is_caught_as_not_found(b24):
    tab = b24.open(**{**TAB, "options": {"ID": "999999"}}).frame
    tab.wait_for_selector("#error:text('Deal 999999 was not found: deleted, or never there.')")
    assert tab.is_hidden("#tab")
