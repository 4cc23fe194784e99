"""Deal health, a CRM deal tab (placement CRM_DEAL_DETAIL_TAB): where the deal stands in its
funnel, what needs attention, who the people are, how the company's other deals stand, and a
form that moves the deal to another stage."""

import asyncio

from health import FACTS, chart, load, move
from pyscript import document, when

from pyb24 import BX24, B24Error, B24NotFoundError

current = None  # the Health shown


def element(element_id):
    return document.getElementById(element_id)


def show(element_id, text):
    element(element_id).textContent = text


def add(parent, tag, text="", **attributes):
    child = document.createElement(tag)
    child.textContent = text
    for name, value in attributes.items():
        child.setAttribute(name.replace("_", "-"), value)
    parent.appendChild(child)
    return child


def clear(element_id):
    box = element(element_id)
    box.innerHTML = ""
    return box


def render(health):
    deal = health.deal
    show("deal-title", deal["TITLE"])
    stage = health.stage() or {}
    badge = element("stage")
    badge.textContent = health.stage_name()
    badge.style.background = stage.get("COLOR") or "#80868e"
    checks = health.checks()
    closed = health.is_closed()
    show("verdict", "closed" if closed else ("healthy" if not checks else "needs attention"))
    funnel = clear("funnel")
    reached = True
    for row in health.stages:
        step = add(funnel, "li", title=row["NAME"])
        if reached and row["SEMANTICS"] is None or row["STATUS_ID"] == deal["STAGE_ID"]:
            step.className = "reached"
            step.style.setProperty("--colour", row.get("COLOR") or "#39a8ef")
        if row["STATUS_ID"] == deal["STAGE_ID"]:
            reached = False
    box = clear("checks")
    for text in checks:
        add(box, "li", text)
    facts = clear("facts")
    for code in FACTS:
        name, text = health.fact(code)
        add(facts, "dt", name)
        add(facts, "dd", text, data_field=code)
    company = health.company
    show("company", company["TITLE"] if company else "no company")
    people = clear("contacts")
    for binding, person in health.contacts:
        name = f"{person.get('NAME') or ''} {person.get('LAST_NAME') or ''}".strip()
        phones = [entry["VALUE"] for entry in person.get("PHONE") or []]
        text = name + (f", {phones[0]}" if phones else "")
        add(people, "li", text + (" (primary)" if binding["IS_PRIMARY"] == "Y" else ""))
    if not health.contacts:
        add(people, "li", "nobody yet")
    table = clear("chart")
    for name, colour, count, share in chart(health):
        row = add(table, "tr")
        add(row, "td", name)
        bar = add(add(row, "td"), "div", **{"class": "bar"})
        bar.style.width = f"{share}%"
        bar.style.background = colour
        add(row, "td", str(count), **{"class": "num"})
    choice = clear("move-to")
    for row in health.stages:
        option = add(choice, "option", row["NAME"], value=row["STATUS_ID"])
        if row["STATUS_ID"] == deal["STAGE_ID"]:
            option.selected = True


@when("submit", "#move")
def submit(event):
    event.preventDefault()  # synchronously: an async handler would run after the form submits
    asyncio.ensure_future(move_to(element("move-to").value))


async def move_to(stage_id):
    global current
    show("move-status", "moving…")
    try:
        await move(BX24, current, stage_id)
        current = await load(BX24, current.deal["ID"])
    except (B24Error, ValueError) as error:
        show("move-status", f"not moved: {error}")
        return
    render(current)
    show("move-status", f"moved to {current.stage_name()}")
    await BX24.fitWindow()


async def main():
    global current
    await BX24.init()
    deal_id = str(BX24.placement.info()["options"].get("ID", "")).strip()
    if not deal_id.isdigit():
        show("error", "Open this tab from a deal.")
        return
    try:
        current = await load(BX24, int(deal_id))
    except B24NotFoundError:
        show("error", f"Deal {deal_id} was not found: deleted, or never there.")
        return
    except B24Error as error:
        show("error", f"Deal {deal_id}: {error}")
        return
    render(current)
    element("loading").hidden = True
    element("tab").hidden = False
    await BX24.fitWindow()


asyncio.ensure_future(main())
