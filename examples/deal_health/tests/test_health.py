"""Deal health's logic under plain CPython: no browser, a fake BX24 answering like the docs."""

import datetime as dt

import pytest
from health import Health, chart, label, load, move, stage_dictionary  # the app's module

from pyb24 import B24Error, B24NotFoundError
from pyb24_toolkit.testing import run_async

STAGES = [  # crm.status.list of DEAL_STAGE_1 (api-reference/crm/status/crm-status-list.md)
    {"STATUS_ID": "C1:NEW", "NAME": "New", "SEMANTICS": None, "COLOR": "#39A8EF"},
    {"STATUS_ID": "C1:EXECUTING", "NAME": "In progress", "SEMANTICS": None, "COLOR": "#47E4C2"},
    {"STATUS_ID": "C1:WON", "NAME": "Deal successful", "SEMANTICS": "S", "COLOR": "#7BD500"},
    {"STATUS_ID": "C1:LOSE", "NAME": "Deal failed", "SEMANTICS": "F", "COLOR": "#FF5752"},
]
FIELDS = {  # crm.deal.fields (api-reference/crm/deals/crm-deal-fields.md)
    "OPPORTUNITY": {"type": "double", "title": "Amount"},
    "CLOSEDATE": {"type": "date", "title": "Expected close date"},
    "UF_CRM_BUDGET": {"type": "money", "title": "UF_CRM_BUDGET", "listLabel": "Budget"},
}
DEAL = {
    "ID": "7",
    "TITLE": "Big one",
    "CATEGORY_ID": "1",
    "STAGE_ID": "C1:EXECUTING",
    "OPPORTUNITY": "300.00",
    "CURRENCY_ID": "USD",
    "COMPANY_ID": "3",
    "CLOSEDATE": "2030-01-01T00:00:00+03:00",
}


class FakeBX24:
    """BX24's Pythonic calls over canned answers: ``answers[method]`` is a value, a callable
    of the params, or a B24Error to raise."""

    def __init__(self, answers):
        self.answers, self.calls = answers, []

    def _answer(self, method, params):
        self.calls.append((method, params))
        answer = self.answers[method]
        if isinstance(answer, B24Error):
            raise answer
        return answer(params) if callable(answer) else answer

    async def call(self, method, params=None):
        return self._answer(method, params or {})

    async def batch(self, calls, halt=False):
        results = {}
        for key, (method, params) in calls.items():
            try:
                results[key] = self._answer(method, params)
            except B24Error as error:
                results[key] = error
        return results

    async def list_all(self, method, params=None):
        return self._answer(method, params or {})


def portal(**changes):
    answers = {
        "crm.deal.get": DEAL,
        "crm.deal.fields": FIELDS,
        "crm.status.list": STAGES,
        "crm.deal.contact.items.get": [
            {"CONTACT_ID": 5, "SORT": 20, "ROLE_ID": 0, "IS_PRIMARY": "N"},
            {"CONTACT_ID": 4, "SORT": 10, "ROLE_ID": 0, "IS_PRIMARY": "Y"},
        ],
        "crm.contact.get": lambda params: {"ID": str(params["id"]), "NAME": f"C{params['id']}"},
        "crm.deal.productrows.get": [{"PRICE": 100.0, "QUANTITY": 3.0}],
        "crm.activity.list": [{"ID": "1", "DEADLINE": "2030-01-01T10:00:00+03:00"}],
        "crm.company.get": {"ID": "3", "TITLE": "Acme"},
        "crm.deal.list": [
            {"ID": "7", "STAGE_ID": "C1:EXECUTING"},
            {"ID": "8", "STAGE_ID": "C1:WON"},
        ]
        + [{"ID": "9", "STAGE_ID": "C1:WON"}],
        "crm.deal.update": True,
    }
    return FakeBX24({**answers, **changes})


def test_stage_dictionary_per_funnel():
    # tutorials/crm/how-to-get-lists/how-to-get-elements-by-stage-filter.md
    assert stage_dictionary("0") == stage_dictionary(None) == "DEAL_STAGE"
    assert stage_dictionary("1") == "DEAL_STAGE_1"


def test_load_asks_the_funnel_the_deal_is_in_and_orders_contacts():
    bx24 = portal()
    health = run_async(load(bx24, 7))
    listed = next(params for method, params in bx24.calls if method == "crm.status.list")
    assert listed["filter"] == {"ENTITY_ID": "DEAL_STAGE_1"}
    assert health.stage_name() == "In progress" and not health.is_closed()
    assert [person["NAME"] for _, person in health.contacts] == ["C4", "C5"]  # primary first
    assert health.company["TITLE"] == "Acme" and health.rows_total() == 300
    assert health.checks(dt.date(2026, 1, 1)) == []
    assert chart(health) == [
        ("New", "#39A8EF", 0, 0),
        ("In progress", "#47E4C2", 1, 50),
        ("Deal successful", "#7BD500", 2, 100),
        ("Deal failed", "#FF5752", 0, 0),
    ]


def test_facts_are_labelled_and_formatted_by_the_field_metadata():
    health = run_async(load(portal(), 7))
    assert health.fact("OPPORTUNITY") == ("Amount", "300.00 USD")
    assert health.fact("CLOSEDATE") == ("Expected close date", "2030-01-01")
    assert health.fact("STAGE_ID")[1] == "In progress"
    assert label(FIELDS, "UF_CRM_BUDGET") == "Budget"  # a user field's label is listLabel


def test_checks_say_what_needs_attention():
    bx24 = portal(
        **{
            "crm.deal.contact.items.get": [],
            "crm.activity.list": [{"ID": "1", "DEADLINE": "2024-01-01T10:00:00+03:00"}],
            "crm.deal.productrows.get": [{"PRICE": 10.0, "QUANTITY": 1.0}],
        }
    )
    health = run_async(load(bx24, 7))
    assert health.checks(dt.date(2030, 6, 1)) == [
        "No contact person",
        "1 overdue to-do",
        "Expected close date has passed",
        "The amount differs from the products",
    ]
    won = Health(**{**health.__dict__, "deal": {**DEAL, "STAGE_ID": "C1:WON"}})
    assert won.is_closed() and won.checks() == []


def test_a_missing_deal_raises_not_found():
    missing = B24NotFoundError("", "Not found", 400, "crm.deal.get")
    with pytest.raises(B24NotFoundError):
        run_async(load(portal(**{"crm.deal.get": missing}), 999))


def test_move_only_to_a_stage_of_the_funnel():
    bx24 = portal()
    health = run_async(load(bx24, 7))
    run_async(move(bx24, health, "C1:WON"))
    assert bx24.calls[-1] == ("crm.deal.update", {"id": "7", "fields": {"STAGE_ID": "C1:WON"}})
    with pytest.raises(ValueError, match="not a stage"):
        run_async(move(bx24, health, "WON"))
