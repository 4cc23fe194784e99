"""Runs a test's Python function inside a pyb24 page (the app frame). Browser-only.

The pytest plugin (``pyb24_toolkit.plugin``) adds this file's text to the page under test as
one more ``<script type="py">`` when a test first calls ``.run(...)``: PyScript runs it in
the app's own interpreter, so the function sees the same ``pyb24`` and ``BX24`` as the app.
Apps never include it. It defines four calls on ``window`` and nothing in the app's globals:

- ``__pyb24_run(source, filename, name, args_json)`` runs function ``name`` defined by
  ``source`` (exec'd in a fresh namespace) with the JSON arguments, awaits it when it is a
  coroutine function, and resolves to JSON ``{"ok": true, "value": ...}`` or
  ``{"ok": false, "type", "message", "traceback"}``.
- A function may keep objects for later runs in the same page on the module ``page_state``
  (``import page_state; page_state.binding = ...``); it lives as long as the page.
- ``__pyb24_start(...)`` the same as a task that keeps running; returns the task's id.
  ``__pyb24_result(id)`` resolves to the JSON above once it is done; ``__pyb24_done(id)``
  and ``__pyb24_cancel(id)`` look at or cancel it.
"""


def _install_pyb24_test_runner():
    # Imports stay local: main-thread PyScript scripts share one namespace with the app.
    import asyncio
    import inspect
    import json
    import sys
    import traceback
    import types

    import js
    from pyodide.ffi import create_proxy

    tasks = {}
    sys.modules["page_state"] = types.ModuleType("page_state", "kept between runs in this page")

    def failure(exc):
        kind = type(exc)
        name = kind.__qualname__
        if kind.__module__ != "builtins":
            name = f"{kind.__module__}.{name}"
        return {
            "ok": False,
            "type": name,
            "message": str(exc),
            "traceback": "".join(traceback.format_exception(exc)),
        }

    async def call(source, filename, name, args_json):
        try:
            namespace = {"__name__": "__pyb24_test__", "__file__": filename}
            exec(compile(source, filename, "exec"), namespace)
            value = namespace[name](*json.loads(args_json))
            if inspect.isawaitable(value):
                value = await value
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the test
            return json.dumps(failure(exc))
        try:
            return json.dumps({"ok": True, "value": value})
        except (TypeError, ValueError) as exc:
            wrong = TypeError(f"{name}() returned {type(value).__name__}, which is not JSON: {exc}")
            return json.dumps(failure(wrong))

    def start(source, filename, name, args_json):
        task = asyncio.ensure_future(call(source, filename, name, args_json))
        key = str(len(tasks) + 1)
        tasks[key] = task
        return key

    async def result(key):
        try:
            return await tasks[key]
        except asyncio.CancelledError as exc:
            return json.dumps(failure(exc))

    def cancel(key):
        return tasks[key].cancel()

    window = js.window
    window.__pyb24_run = create_proxy(lambda *a: asyncio.ensure_future(call(*a)))
    window.__pyb24_start = create_proxy(start)
    window.__pyb24_result = create_proxy(lambda key: asyncio.ensure_future(result(key)))
    window.__pyb24_done = create_proxy(lambda key: tasks[key].done())
    window.__pyb24_cancel = create_proxy(cancel)


_install_pyb24_test_runner()
del _install_pyb24_test_runner
