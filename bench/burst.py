"""A burst of 200 concurrent ``BX24.call``s against a portal with its rate limit on.

    .venv/bin/python bench/burst.py [--calls 200] [--plan default|enterprise]

The emulated portal counts requests like a real one (50 burst, 2 per second; 250 / 5 with
``--plan enterprise``) and answers 503 QUERY_LIMIT_EXCEEDED above it. pyb24's throttle
queues the calls on its side: this prints the errors the caller saw (target 0) and the wall
time against the bucket's theoretical minimum, (calls - burst) / rate (target <= 1.2x).
Not a test: the numbers vary by machine.
"""

from __future__ import annotations

import argparse

from inportal import portal

PLANS = {"default": (50, 2.0), "enterprise": (250, 5.0)}


async def burst(calls, plan):
    import asyncio
    import time

    from pyb24 import BX24, B24Error

    await BX24.init()
    BX24.configure(plan=plan)
    started = time.perf_counter()
    outcomes = await asyncio.gather(
        *(BX24.call("server.time") for _ in range(calls)), return_exceptions=True
    )
    errors = [str(o) for o in outcomes if isinstance(o, B24Error | Exception)]
    return {"seconds": time.perf_counter() - started, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--plan", choices=sorted(PLANS), default="default")
    args = parser.parse_args()
    burst_size, rate = PLANS[args.plan]
    with portal() as (emulator, app):
        app.run(burst, 1, args.plan)  # boot and init outside the measured burst
        emulator.rest.reset()
        emulator.rest.configure(rate_limit=(int(burst_size), rate))
        outcome = app.run(burst, args.calls, args.plan)
        refused = sum(1 for call in app.rest_calls() if call.get("status") == 503)
    minimum = max(0.0, (args.calls - burst_size) / rate)
    print(f"{args.calls} concurrent BX24.call, portal bucket {burst_size:.0f} + {rate:g}/s:")
    print(f"  errors seen by the caller: {len(outcome['errors'])}  (target 0)")
    print(f"  503 answers the portal sent (retried by pyb24): {refused}")
    print(f"  wall time {outcome['seconds']:.2f} s, theoretical minimum {minimum:.2f} s")
    if minimum:
        print(f"  ratio: {outcome['seconds'] / minimum:.2f}x  (target <= 1.2x)")


if __name__ == "__main__":
    main()
