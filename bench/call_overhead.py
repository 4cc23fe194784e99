"""Per-call cost of pyb24's REST path: 500 sequential ``callMethod`` calls from Python vs the
same 500 requests from a plain JavaScript ``fetch`` loop in the same page.

    .venv/bin/python bench/call_overhead.py [--calls 500] [--rounds 3]

Same page, same URL, same form-encoded body (pyb24 encodes it once and hands it to the JS
loop); rounds alternate JS / Python and the medians are compared. pyb24's client-side
throttle is switched off for this run (``BX24.configure(throttle=False)``): it would pace
the Python calls at 2 per second, which is what it is for, and not what is measured here.
Not a test: the numbers vary by machine.

Where a call's time goes: the request and the answer cost the same from both loops (pyb24
starts ``fetch`` from a microtask, so DevTools' initiator-stack capture under Playwright does
not walk the interpreter's frames). What is left is Pyodide resuming Python after each awaited
JS promise (a trip through its event loop, on the order of a millisecond here), the JSON
parse in Python, and for ``callMethod`` the task that lets a request leave unawaited.
``BX24.call`` (no callback, no task of its own) is printed beside it.
"""

from __future__ import annotations

import argparse
import statistics

from inportal import portal

JS_LOOP = """async ({url, body, calls}) => {
  const started = performance.now();
  for (let i = 0; i < calls; i++) {
    const response = await fetch(url, {method: "POST", body, credentials: "omit",
      headers: {"Content-Type": "application/x-www-form-urlencoded"}});
    const answer = await response.json();
    if (answer.error) throw new Error(answer.error);
  }
  return (performance.now() - started) / 1000;
}"""

PARAMS = {"filter": {">ID": 0}, "select": ["ID", "TITLE"], "order": {"ID": "ASC"}}


async def body_for_js(params):
    """The body pyb24 sends for ``params``, to send the very same bytes from JavaScript."""
    from pyb24 import BX24
    from pyb24.encoding import prepare_data
    from pyb24.jsvalues import encode_uri_component

    await BX24.init()
    BX24.configure(throttle=False)
    token = BX24.getAuth()["access_token"]
    return f"auth={encode_uri_component(token)}&{prepare_data(params)}"


async def python_loop(params, calls, api="callMethod"):
    import time

    from pyb24 import BX24

    started = time.perf_counter()
    for _ in range(calls):
        if api == "call":  # the Pythonic layer: the result, or a B24Error raised
            await BX24.call("crm.deal.list", params)
            continue
        result = await BX24.callMethod("crm.deal.list", params)
        if result.error():
            raise RuntimeError(str(result.error()))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with portal() as (emulator, app):
        url = f"{emulator.portal_origin}/rest/crm.deal.list.json"
        request = {"url": url, "body": app.run(body_for_js, PARAMS)}
        app.run(python_loop, PARAMS, 20)  # warm every path up
        app.run(python_loop, PARAMS, 20, "call")
        app.frame.evaluate(JS_LOOP, {**request, "calls": 20})
        js, py, call = [], [], []
        for _ in range(args.rounds):
            js.append(app.frame.evaluate(JS_LOOP, {**request, "calls": args.calls}))
            py.append(app.run(python_loop, PARAMS, args.calls))
            call.append(app.run(python_loop, PARAMS, args.calls, "call"))
    js_s, py_s, call_s = statistics.median(js), statistics.median(py), statistics.median(call)
    print(f"{args.calls} sequential crm.deal.list calls, median of {args.rounds} rounds:")
    for name, seconds in (
        ("JavaScript fetch loop ", js_s),
        ("Python BX24.callMethod", py_s),
        ("Python BX24.call      ", call_s),
    ):
        print(f"  {name}  {seconds:7.3f} s  ({seconds / args.calls * 1000:.2f} ms/call)")
    print(f"  ratio Python/JS: {py_s / js_s:.2f}  (target <= 1.3)")
    print(f"  ratio BX24.call/JS: {call_s / js_s:.2f}")


if __name__ == "__main__":
    main()
