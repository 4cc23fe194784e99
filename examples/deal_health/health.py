"""Deal health: what the tab asks the portal, and what it concludes, apart from the page.

No browser imports, so ``tests/test_health.py`` runs it under plain CPython with a fake
``BX24``. Every name the tab shows comes from the portal: stage names and colours from
``crm.status.list`` (the deal's funnel: ``DEAL_STAGE`` or ``DEAL_STAGE_<category>``), field
titles and types from ``crm.deal.fields``, contacts from ``crm.deal.contact.items.get`` +
``crm.contact.get``, the company from ``crm.company.get``.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from pyb24 import B24Error

DEAL = 2  # OWNER_TYPE_ID of deals (crm.activity.list)
# The facts the tab shows, by crm.deal.fields code; each is labelled and formatted by its
# metadata (title, type).
FACTS = ("STAGE_ID", "OPPORTUNITY", "CLOSEDATE", "SOURCE_ID", "ASSIGNED_BY_ID")


def stage_dictionary(category_id):
    """The crm.status.list ENTITY_ID of a deal funnel's stages."""
    category = int(category_id or 0)
    return "DEAL_STAGE" if category == 0 else f"DEAL_STAGE_{category}"


def money(amount, currency):
    """``"12,000.00 USD"`` from the portal's text amount."""
    return f"{float(amount or 0):,.2f} {currency or ''}".strip()


def label(fields, code):
    """A field's name as the deal card shows it: user fields carry theirs in listLabel."""
    meta = fields.get(code) or {}
    return meta.get("listLabel") or meta.get("title") or code


@dataclass
class Health:
    deal: dict
    fields: dict  # crm.deal.fields
    stages: list  # crm.status.list rows of the deal's funnel, in order
    contacts: list  # (binding, crm.contact.get) pairs, primary first
    company: dict | None
    rows: list  # crm.deal.productrows.get
    todos: list  # open activities
    company_deals: Counter = field(default_factory=Counter)  # STAGE_ID -> deals

    def stage(self, stage_id=None):
        """The crm.status.list row of a stage (the deal's own by default), or None."""
        wanted = self.deal["STAGE_ID"] if stage_id is None else stage_id
        return next((row for row in self.stages if row["STATUS_ID"] == wanted), None)

    def stage_name(self, stage_id=None):
        row = self.stage(stage_id)
        return row["NAME"] if row else (stage_id or self.deal["STAGE_ID"])

    def is_closed(self):
        row = self.stage()
        return bool(row and row["SEMANTICS"] in ("S", "F"))

    def rows_total(self):
        return round(sum(row["PRICE"] * row["QUANTITY"] for row in self.rows), 2)

    def fact(self, code):
        """``(label, text)`` of one field of the deal, formatted by its crm.deal.fields type."""
        meta = self.fields.get(code) or {}
        value = self.deal.get(code)
        kind = meta.get("type")
        if value in (None, ""):
            text = "—"
        elif code == "STAGE_ID":
            text = self.stage_name()
        elif kind in ("double", "money"):
            text = money(value, self.deal.get("CURRENCY_ID"))
        elif kind in ("date", "datetime"):
            text = str(value)[:10]
        elif kind == "user":
            text = f"user #{value}"
        else:
            text = str(value)
        return label(self.fields, code), text

    def checks(self, today=None):
        """What needs attention, as short sentences; empty when the deal looks healthy."""
        if self.is_closed():
            return []
        today = today or dt.date.today()
        found = []
        if not self.contacts:
            found.append("No contact person")
        if not self.todos:
            found.append("No open to-do")
        overdue = [t for t in self.todos if t.get("DEADLINE") and t["DEADLINE"][:10] < str(today)]
        if overdue:
            found.append(f"{len(overdue)} overdue to-do" + ("s" if len(overdue) > 1 else ""))
        close = self.deal.get("CLOSEDATE")
        if close and close[:10] < str(today):
            found.append(f"{label(self.fields, 'CLOSEDATE')} has passed")
        amount = float(self.deal.get("OPPORTUNITY") or 0)
        if self.rows and abs(self.rows_total() - amount) > 0.005:
            found.append("The amount differs from the products")
        return found


def _ok(results, name):
    value = results[name]
    if isinstance(value, B24Error):
        raise value
    return value


async def load(bx24, deal_id):
    """Everything the tab shows about one deal; B24NotFoundError when it does not exist."""
    deal = await bx24.call("crm.deal.get", {"id": deal_id})
    first = await bx24.batch(
        {
            "fields": ["crm.deal.fields", {}],
            "stages": [
                "crm.status.list",
                {
                    "filter": {"ENTITY_ID": stage_dictionary(deal.get("CATEGORY_ID"))},
                    "order": {"SORT": "ASC"},
                },
            ],
            "contacts": ["crm.deal.contact.items.get", {"id": deal_id}],
            "rows": ["crm.deal.productrows.get", {"id": deal_id}],
            "todos": [
                "crm.activity.list",
                {
                    "filter": {"OWNER_TYPE_ID": DEAL, "OWNER_ID": deal_id, "COMPLETED": "N"},
                    "select": ["ID", "SUBJECT", "DEADLINE", "RESPONSIBLE_ID"],
                },
            ],
        },
        halt=True,
    )
    bindings = sorted(_ok(first, "contacts"), key=lambda b: (b["IS_PRIMARY"] != "Y", b["SORT"]))
    people = {}
    if bindings:
        calls = {
            str(b["CONTACT_ID"]): ["crm.contact.get", {"id": b["CONTACT_ID"]}] for b in bindings
        }
        people = await bx24.batch(calls)
    contacts = [
        (binding, people[str(binding["CONTACT_ID"])])
        for binding in bindings
        if not isinstance(people[str(binding["CONTACT_ID"])], B24Error)  # deleted since
    ]
    company = None
    company_deals = Counter()
    if deal.get("COMPANY_ID") not in (None, "", "0"):
        company = await bx24.call("crm.company.get", {"id": deal["COMPANY_ID"]})
        siblings = await bx24.list_all(
            "crm.deal.list",
            {
                "filter": {"COMPANY_ID": deal["COMPANY_ID"], "CATEGORY_ID": deal["CATEGORY_ID"]},
                "select": ["ID", "STAGE_ID"],
            },
        )
        company_deals = Counter(row["STAGE_ID"] for row in siblings)
    return Health(
        deal=deal,
        fields=_ok(first, "fields"),
        stages=_ok(first, "stages"),
        contacts=contacts,
        company=company,
        rows=_ok(first, "rows"),
        todos=_ok(first, "todos"),
        company_deals=company_deals,
    )


def chart(health):
    """The company's deals by stage, in funnel order: ``(name, colour, count, share)``
    with share the bar's width in percent of the largest count."""
    counts = health.company_deals
    top = max(counts.values(), default=0)
    return [
        (row["NAME"], row.get("COLOR") or "#c6cdd3", counts[row["STATUS_ID"]],
         round(100 * counts[row["STATUS_ID"]] / top) if top else 0)
        for row in health.stages
    ]  # fmt: skip


async def move(bx24, health, stage_id):
    """Move the deal to another stage of its funnel (crm.deal.update); ValueError for a
    stage the funnel does not have, B24Error when the portal refuses."""
    if health.stage(stage_id) is None:
        raise ValueError(f"{stage_id!r} is not a stage of this deal's funnel")
    await bx24.call("crm.deal.update", {"id": health.deal["ID"], "fields": {"STAGE_ID": stage_id}})
