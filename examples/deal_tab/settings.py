"""The deal tab's settings page (settings.html): which deals count as related, for everyone."""

import asyncio

from deals import RELATED_BY
from pyscript import document, when

from pyb24 import BX24


def show(element_id, text):
    document.getElementById(element_id).textContent = text


@when("submit", "#settings")
def save(event):
    event.preventDefault()  # synchronously: an async handler would run after the form submits
    asyncio.ensure_future(store(document.getElementById("related-by").value))


async def store(value):
    options = await BX24.appOption.set("related_by", value)
    show("status", f"saved: related deals by {options['related_by']}")


await BX24.init()  # noqa: F704 - PyScript runs this file with top-level await
choice = document.getElementById("related-by")
choice.value = BX24.appOption.get("related_by") or RELATED_BY[0]
if not BX24.isAdmin():
    choice.disabled = True
    document.getElementById("save").disabled = True
    show("status", "only portal administrators can change this")
document.getElementById("settings").hidden = False
