"""A custom CRM field type in Python: a 1-5 star rating with a note (placement USERFIELD_TYPE).

Register the page as a field type once (REST ``userfieldtype.add`` with ``USER_TYPE_ID`` and
``HANDLER`` = this page's URL), add a field of that type to a CRM card, and the card shows this
page in the field's place, with ``PLACEMENT_OPTIONS`` like::

    {"MODE": "edit", "ENTITY_ID": "CRM_DEAL", "FIELD_NAME": "UF_CRM_RATING",
     "ENTITY_VALUE_ID": "42", "VALUE": "...", "MULTIPLE": "N", "MANDATORY": "N"}

In edit mode the page hands the card its new value with ``BX24.placement.call("setValue",
value)``; the card saves it with the form. The value here is structured (a dict), which pyb24
sends as JSON *text* (a portal field stores an object as "[object Object]"), so ``VALUE`` comes
back as that text and is read with ``json.loads``.

Try it in the emulated portal: ./dev demo, then open
http://127.0.0.1:8001/portal/?app=/examples/userfield/index.html&placement=USERFIELD_TYPE&placement_options={"MODE":"edit","VALUE":""}
"""

import json

from pyscript import document, when

from pyb24 import BX24

await BX24.init()  # noqa: F704 - PyScript runs this file with top-level await
BX24.autoFit()  # the field's frame is as tall as the field, whatever the text wraps to

options = BX24.placement.info()["options"]
editable = options.get("MODE") == "edit"


def read_value(text):
    """The stored VALUE: our JSON text, or empty for a new field."""
    try:
        value = json.loads(text) if isinstance(text, str) and text.strip() else {}
    except ValueError:
        value = {"note": text}  # a value written by something else: keep it as the note
    return value if isinstance(value, dict) else {}


rating = {"stars": 0, "note": "", **read_value(options.get("VALUE"))}


def render():
    for button in document.querySelectorAll("#stars button"):
        stars = int(button.dataset.stars)
        button.classList.toggle("on", stars <= rating["stars"])
        button.disabled = not editable
        button.setAttribute("aria-checked", "true" if stars == rating["stars"] else "false")
    document.getElementById("note-text").textContent = "" if editable else rating["note"]


async def save():
    document.getElementById("saved").textContent = "…"
    await BX24.placement.call("setValue", rating)  # sent as JSON text: see the docstring
    document.getElementById("saved").textContent = "saved"


@when("click", "#stars button")
async def rate(event):
    rating["stars"] = int(event.target.closest("button").dataset.stars)
    render()
    await save()


@when("change", "#note")
async def describe(event):
    rating["note"] = event.target.value.strip()
    await save()


note = document.getElementById("note")
note.hidden = not editable
note.value = rating["note"]
render()
document.getElementById("loading").hidden = True
document.getElementById("field").hidden = False
