"""A CRM deal tab (placement CRM_DEAL_DETAIL_TAB): the deal, its related deals, a reviewer."""

import asyncio

from deals import DealError, RelatedDeals, deal_id, load_deal, money
from pyscript import document, when

from pyb24 import BX24

related = None  # RelatedDeals of the deal shown


def show(element_id, text):
    document.getElementById(element_id).textContent = text


def add_rows(deals):
    body = document.getElementById("related")
    for deal in deals:
        row = document.createElement("tr")
        row.dataset.id = deal["ID"]
        for text in (deal["ID"], deal["TITLE"], deal["STAGE_ID"]):
            cell = document.createElement("td")
            cell.textContent = text
            row.appendChild(cell)
        cell = document.createElement("td")
        cell.className = "num"
        cell.textContent = money(deal["OPPORTUNITY"], deal["CURRENCY_ID"])
        row.appendChild(cell)
        body.appendChild(row)
    show("related-count", f"{body.rows.length} of {related.total}")
    document.getElementById("related-more").hidden = not related.has_more()


@when("click", "#related-more")
async def more_related(event):
    add_rows(await related.more())


async def show_reviewer():
    reviewer = BX24.userOption.get("reviewer")
    if not reviewer:
        show("reviewer", "nobody yet")
        return
    users = await BX24.callMethod("user.get", {"ID": reviewer})
    person = (users.data() or [{}])[0] if not users.error() else {}
    show("reviewer", f"{person.get('NAME', '')} {person.get('LAST_NAME', '')}".strip() or reviewer)


@when("click", "#pick-reviewer")
async def pick_reviewer(event):
    user = await BX24.selectUser("Who reviews this deal?")
    BX24.userOption.set("reviewer", user["id"])
    show("reviewer", user["name"])


async def main():
    global related
    await BX24.init()
    options = BX24.placement.info()["options"]
    wanted = deal_id(options)
    if wanted is None:
        show("error", f"Open this tab from a deal (placement options: {options}).")
        return
    try:
        deal, company = await load_deal(BX24, wanted)
    except DealError as error:
        show("error", f"Deal {wanted}: {error}")
        return
    show("deal-title", deal["TITLE"])
    show("deal-stage", deal["STAGE_ID"])
    show("deal-amount", money(deal["OPPORTUNITY"], deal["CURRENCY_ID"]))
    show("deal-company", company or "no company")
    related_by = BX24.appOption.get("related_by") or "company"
    show("related-by", related_by)
    related = RelatedDeals(BX24, deal, related_by)
    add_rows(await related.first())
    await show_reviewer()
    document.getElementById("loading").hidden = True
    document.getElementById("tab").hidden = False
    await BX24.fitWindow()


asyncio.ensure_future(main())
