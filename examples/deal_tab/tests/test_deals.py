"""The deal tab's helper module under plain CPython: no browser, a fake BX24."""

import pytest
from deals import DealError, RelatedDeals, deal_id, money, related_filter  # the app's module

from pyb24_toolkit.testing import run_async  # awaits the app's async code, beside Playwright too


def test_deal_id_from_placement_options():
    assert deal_id({"ID": "42"}) == 42
    assert [deal_id(o) for o in ({}, None, {"ID": "x"}, {"ID": "-1"})] == [None] * 4


def test_money_and_related_filter():
    assert money("12000", "USD") == "12,000.00 USD" and money(None, None) == "0.00"
    deal = {"ID": "7", "COMPANY_ID": "3", "ASSIGNED_BY_ID": "2"}
    assert related_filter(deal) == {"COMPANY_ID": "3", "!ID": "7"}
    assert related_filter(deal, "responsible") == {"ASSIGNED_BY_ID": "2", "!ID": "7"}
    assert related_filter({"ID": "7", "COMPANY_ID": "0"}) is None
    with pytest.raises(ValueError, match="related_by"):
        related_filter(deal, "stage")


class Page:
    """An AjaxResult look-alike: one page of ``rows`` out of ``total``."""

    def __init__(self, rows, total, start=0, error=None):
        self.rows, self.total_count, self.start, self.failure = rows, total, start, error

    def error(self):
        return self.failure

    def data(self):
        return self.rows[self.start : self.start + 50]

    def total(self):
        return self.total_count

    def more(self):
        return self.start + 50 < self.total_count

    async def next(self):
        return Page(self.rows, self.total_count, self.start + 50)


class FakeBX24:
    def __init__(self, result):
        self.result, self.calls = result, []

    async def callMethod(self, method, params):  # noqa: N802 - BX24.js' name
        self.calls.append((method, params))
        return self.result


def test_related_deals_pages_through_next():
    bx24 = FakeBX24(Page([{"ID": str(i)} for i in range(120)], 120))
    pager = RelatedDeals(bx24, {"ID": "1", "COMPANY_ID": "3"})

    async def all_pages():
        pages = [await pager.first()]
        while pager.has_more():
            pages.append(await pager.more())
        return pages

    assert [len(page) for page in run_async(all_pages())] == [50, 50, 20]
    [(method, params)] = bx24.calls
    assert method == "crm.deal.list" and params["filter"] == {"COMPANY_ID": "3", "!ID": "1"}


def test_a_refused_request_raises_deal_error():
    refusing = FakeBX24(Page([], 0, error="ACCESS_DENIED"))
    pager = RelatedDeals(refusing, {"ID": "1", "COMPANY_ID": "3"})
    with pytest.raises(DealError, match="ACCESS_DENIED"):
        run_async(pager.first())
