"""The store in the REST shape (``emu.records``, a test's ``b24.store``): each helper is the
emulated portal's own method, so seeded and read data look exactly as the app sees them.

Shapes: b24restdocs api-reference/crm/deals/crm-deal-add.md (the new id),
crm-deal-get.md (UPPER_CASE fields, values as text), crm-deal-list.md;
api-reference/crm/universal/crm-item-add.md / crm-item-list.md (``{"item": ...}``,
``{"items": [...]}``, camelCase fields).
"""

import pytest

from portal_emulator.rest.core import RestError


def test_a_deal_added_reads_back_as_crm_deal_get_answers(emu):
    records = emu.records
    deal_id = records.add("crm.deal", {"TITLE": "Kit deal", "OPPORTUNITY": 2500, "COMPANY_ID": 1})
    assert isinstance(deal_id, int)
    deal = records.get("crm.deal", deal_id)
    assert (deal["ID"], deal["TITLE"], deal["OPPORTUNITY"]) == (str(deal_id), "Kit deal", "2500.00")
    assert records.update("crm.deal", deal_id, {"STAGE_ID": "WON"}) is True
    assert records.get("crm.deal", deal_id)["STAGE_ID"] == "WON"
    assert emu.rest.log() == []  # not a call of the app: rest_calls() stays the app's


def test_list_reads_every_page_with_the_methods_filter(emu):
    records = emu.records
    assert len(records.list("crm.deal")) == 150  # the seed: more than one page of 50
    [mine] = records.list("crm.deal", {"ID": 7}, select=["ID", "TITLE"])
    assert set(mine) == {"ID", "TITLE"}
    items = records.list("crm.item", {"id": [1, 2]}, entityTypeId=2)
    assert [item["id"] for item in items["items"]] == [1, 2]


def test_the_universal_methods_take_their_own_params(emu):
    records = emu.records
    added = records.add("crm.item", {"title": "Smart kit"}, entityTypeId=2)
    item_id = added["item"]["id"]
    assert records.get("crm.item", item_id, entityTypeId=2)["item"]["title"] == "Smart kit"
    assert records.get("crm.deal", item_id)["TITLE"] == "Smart kit"  # one deal, two APIs
    records.delete("crm.item", item_id, entityTypeId=2)
    with pytest.raises(RestError) as refused:
        records.get("crm.deal", item_id)
    assert refused.value.description == "Not found"


def test_a_refused_write_raises_the_methods_error_and_changes_nothing(emu):
    records = emu.records
    with pytest.raises(RestError) as refused:
        records.add("crm.item", {"title": "x", "noSuchField": 1}, entityTypeId=2)
    assert refused.value.code == "INVALID_ARG_VALUE"
    assert len(records.list("crm.deal")) == 150
    with pytest.raises(RestError) as unknown:
        records.add("crm.nothing", {})
    assert unknown.value.code == "ERROR_METHOD_NOT_FOUND"


def test_the_stores_own_helpers_stay_at_hand(emu):
    assert emu.records.user(5).full_name == emu.store.user(5).full_name
    first, last = emu.records.seed_deals(2)
    assert emu.records.get("crm.deal", last)["ID"] == str(last)
