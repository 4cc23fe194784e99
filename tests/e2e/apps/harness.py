"""e2e harness app: lets a test run Python inside the app frame, like a user's app.py would.

``window.runPy(code)`` runs ``code`` (top-level await allowed) in one namespace shared by all
calls of this page and resolves to JSON: ``{"ok": true, "value": <last expression>}`` or
``{"ok": false, "error": <exception type>, "message": <text>}``.
"""

import asyncio
import json

import js
from pyodide.code import eval_code_async
from pyodide.ffi import create_proxy

namespace = {"__name__": "__harness__"}


async def run(code):
    try:
        value = await eval_code_async(code, globals=namespace)
        return json.dumps({"ok": True, "value": value}, default=repr)
    except BaseException as exc:  # noqa: BLE001 - report everything to the test
        return json.dumps({"ok": False, "error": type(exc).__name__, "message": str(exc)})


js.window.runPy = create_proxy(lambda code: asyncio.ensure_future(run(code)))
js.document.getElementById("status").textContent = "ready"
