"""The deal tab's logic, apart from the page: what to ask the portal, and how to show it.

No browser imports here, so ``tests/test_deals.py`` checks it under plain CPython. The REST
calls take the ``BX24`` object as an argument for the same reason.
"""

SELECT = ["ID", "TITLE", "STAGE_ID", "OPPORTUNITY", "CURRENCY_ID", "COMPANY_ID"]
COMPANY = 4  # entityTypeId of companies in crm.item.*
RELATED_BY = ("company", "responsible")  # the app option "related_by" (settings.html)


class DealError(Exception):
    """The portal refused a request; the message is its error text."""


def deal_id(options):
    """The deal of a CRM_DEAL_DETAIL_TAB placement: its options carry ``{"ID": "42"}``."""
    try:
        value = int(str((options or {}).get("ID", "")).strip())
    except ValueError:
        return None
    return value if value > 0 else None


def money(amount, currency):
    """``"12,000.00 USD"`` from the portal's text amount."""
    return f"{float(amount or 0):,.2f} {currency or ''}".strip()


def related_filter(deal, related_by="company"):
    """The crm.deal.list filter for the deals related to ``deal`` (never the deal itself);
    None when there is nothing to relate by (a deal without a company)."""
    if related_by not in RELATED_BY:
        raise ValueError(f"related_by must be one of {RELATED_BY}, got {related_by!r}")
    if related_by == "company":
        key, value = "COMPANY_ID", deal.get("COMPANY_ID")
    else:
        key, value = "ASSIGNED_BY_ID", deal.get("ASSIGNED_BY_ID")
    if value in (None, "", "0", 0):
        return None
    return {key: value, "!ID": deal["ID"]}


def _checked(result):
    if result.error():
        raise DealError(str(result.error()))
    return result.data()


async def load_deal(bx24, deal_id):
    """The deal (crm.deal.get) and its company's title (crm.item.get), or DealError."""
    deal = _checked(await bx24.callMethod("crm.deal.get", {"id": deal_id}))
    company = ""
    if deal.get("COMPANY_ID") not in (None, "", "0"):
        params = {"entityTypeId": COMPANY, "id": deal["COMPANY_ID"]}
        company = _checked(await bx24.callMethod("crm.item.get", params))["item"]["title"]
    return deal, company


class RelatedDeals:
    """Related deals, a page (50, the portal's page size) at a time."""

    def __init__(self, bx24, deal, related_by="company"):
        self._bx24 = bx24
        self._filter = related_filter(deal, related_by)
        self._last = None  # the last AjaxResult: its next() fetches the following page
        self.total = 0

    async def first(self):
        if self._filter is None:
            return []
        query = {"filter": self._filter, "select": SELECT, "order": {"ID": "DESC"}}
        return self._take(await self._bx24.callMethod("crm.deal.list", query))

    def has_more(self):
        return self._last is not None and self._last.more()

    async def more(self):
        if not self.has_more():
            return []
        return self._take(await self._last.next())

    def _take(self, result):
        deals = _checked(result)
        self._last = result
        self.total = result.total()
        return deals
