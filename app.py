"""The pyb24 demo placement app. Copy this file, index.html and pyscript.toml to start your own."""

import asyncio
import json
import time

from pyscript import document, when

import demo_ui  # the "Portal UI" section: window, pickers, sliders, messenger, placement
from pyb24 import BX24, B24Error, ReplyTimeout


def show(element_id, text):
    document.getElementById(element_id).textContent = text


def installer():
    # Runs once per user (FIRST_RUN) before init handlers; installFinish() ends this step.
    document.getElementById("install-note").hidden = False
    BX24.installFinish()


BX24.install(installer)
await BX24.init()  # noqa: F704 - PyScript runs this file with top-level await


def render_auth():
    auth = BX24.getAuth()
    if auth:
        show("expires", time.strftime("%H:%M:%S", time.localtime(auth["expires_in"] / 1000)))
    else:
        show("expires", "expired")


def render():
    info = BX24.placement.info()
    show("domain", BX24.getDomain())
    show("lang", BX24.getLang())
    show("admin", "yes" if BX24.isAdmin() else "no")
    show("placement", info["placement"])
    show("placement-options", json.dumps(info["options"], ensure_ascii=False) or "{}")
    render_auth()
    document.getElementById("user-option").value = BX24.userOption.get("greeting") or ""
    document.getElementById("app-option").value = BX24.appOption.get("mode") or ""
    if not BX24.isAdmin():
        document.getElementById("app-option-save").disabled = True
        show("app-option-status", "only portal administrators can change app options")


@when("submit", "#user-option-form")
def save_user_option(event):
    event.preventDefault()
    BX24.userOption.set("greeting", document.getElementById("user-option").value)
    show("user-option-status", "saved")


@when("submit", "#app-option-form")
def save_app_option(event):
    event.preventDefault()  # synchronously: an async handler would run after the form submits
    asyncio.ensure_future(store_app_option(document.getElementById("app-option").value))


async def store_app_option(value):
    show("app-option-status", "saving…")
    try:
        options = await BX24.appOption.set("mode", value)
    except ReplyTimeout:
        show("app-option-status", "the portal did not answer; not saved")
    else:
        show("app-option-status", f"saved; the portal now has {len(options)} app option(s)")


@when("click", "#refresh-auth")
async def refresh_auth(event):
    show("refresh-status", "refreshing…")
    try:
        await BX24.refreshAuth()
    except ReplyTimeout:
        show("refresh-status", "the portal did not answer")
    else:
        show("refresh-status", "new token received")
    render_auth()


# -- REST -------------------------------------------------------------------------------
DEAL_QUERY = {
    "select": ["ID", "TITLE", "STAGE_ID", "OPPORTUNITY", "CURRENCY_ID"],
    "order": {"ID": "DESC"},
}
deals_page = None  # the last AjaxResult of crm.deal.list, for next()


def show_error(element_id, result):
    element = document.getElementById(element_id)
    element.textContent = str(result.error())
    element.className = "error"


def add_deal_rows(deals, at_top=False):
    body = document.getElementById("deals")
    for deal in deals:
        row = document.createElement("tr")
        row.dataset.id = deal["ID"]
        for text, css in (
            (deal["ID"], ""),
            (deal["TITLE"], ""),
            (deal["STAGE_ID"], ""),
            (f"{float(deal['OPPORTUNITY'] or 0):,.2f} {deal['CURRENCY_ID'] or ''}", "num"),
        ):
            cell = document.createElement("td")
            cell.textContent = text
            cell.className = css
            row.appendChild(cell)
        if at_top:
            body.insertBefore(row, body.firstChild)
        else:
            body.appendChild(row)


def show_deals_page(result):
    global deals_page
    if result.error():
        show_error("deals-status", result)
        return
    deals_page = result
    add_deal_rows(result.data())
    shown = document.getElementById("deals").rows.length
    show("deals-count", f"({shown} of {result.total()})")
    document.getElementById("deals-more").hidden = not result.more()


async def load_rest_section():
    me = await BX24.callMethod("user.current")
    if me.error():
        show_error("me", me)
    else:
        user = me.data()
        show("me", f"You are {user['NAME']} {user['LAST_NAME']} (user {user['ID']}).")
    show_deals_page(await BX24.callMethod("crm.deal.list", DEAL_QUERY))


@when("click", "#deals-more")
async def more_deals(event):
    page = deals_page.next()  # False when there is no next page
    if page is not False:
        show_deals_page(await page)


@when("submit", "#deal-form")
def add_deal(event):
    event.preventDefault()
    title = document.getElementById("deal-title").value.strip()
    amount = document.getElementById("deal-amount").value.strip() or 0
    asyncio.ensure_future(create_deal(title, amount))


async def create_deal(title, amount):
    show("deal-status", "adding…")
    fields = {"title": title, "opportunity": amount, "currencyId": "USD"}
    added = await BX24.callMethod("crm.item.add", {"entityTypeId": 2, "fields": fields})
    if added.error():
        show_error("deal-status", added)
        return
    deal = await BX24.callMethod("crm.deal.get", {"id": added.data()["item"]["id"]})
    add_deal_rows([deal.data()], at_top=True)
    show("deal-status", f"deal {deal.data()['ID']} added")
    document.getElementById("deal-title").value = ""


@when("click", "#batch-run")
async def run_batch(event):
    show("batch-status", "running…")
    results = await BX24.callBatch(
        {
            "me": ["user.current", {}],
            "department": ["department.get", {"ID": "$result[me][UF_DEPARTMENT][0]"}],
            "deals": ["crm.deal.list", {"filter": {"ASSIGNED_BY_ID": "$result[me][ID]"}}],
        }
    )
    failed = [key for key, result in results.items() if result.error()]
    if failed:
        show_error("batch-status", results[failed[0]])
        return
    department = results["department"].data()[0]["NAME"]
    show(
        "batch-status",
        f"one request, three commands: you work in {department} "
        f"and have {results['deals'].total()} deal(s)",
    )


@when("click", "#list-all")
async def list_all_deals(event):
    """Every deal, 2 500 to a request (BX24.list_all), with a progress bar."""
    bar = document.getElementById("list-progress")
    bar.hidden, bar.value = False, 0
    show("list-status", "listing…")

    def progress(done, total):
        bar.max = total or 1
        bar.value = done
        show("list-status", f"{done} of {total} deals")

    started = time.perf_counter()
    try:
        deals = await BX24.list_all(
            "crm.deal.list", {"select": ["ID", "OPPORTUNITY"]}, progress=progress
        )
    except B24Error as error:
        show("list-status", str(error))
        return
    total = sum(float(deal["OPPORTUNITY"] or 0) for deal in deals)
    seconds = time.perf_counter() - started
    show("list-status", f"{len(deals)} deals worth {total:,.2f} in {seconds:.1f} s")


render()
demo_ui.setup()
document.getElementById("loading").hidden = True
document.getElementById("app").hidden = False
await load_rest_section()  # noqa: F704
