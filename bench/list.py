"""Listing 10 000 deals: naive ``next()`` paging vs ``BX24.list_all``, side by side.

    .venv/bin/python bench/list.py [--deals 10000] [--latency-ms 20]

The emulated portal holds the deals, answers every request after ``--latency-ms`` and has
its rate limit on (50 burst, 2 per second, like a real portal). Both ways run in the same page
through the same REST client, so both get pyb24's throttle (without it the naive loop would
meet 503 QUERY_LIMIT_EXCEEDED after 50 pages). Prints HTTP requests and wall time of each and
their ratios. Not a test: the numbers vary by machine.
"""

from __future__ import annotations

import argparse

from inportal import portal


async def naive(select):
    import time

    from pyb24 import BX24

    await BX24.init()
    started = time.perf_counter()
    page = await BX24.callMethod("crm.deal.list", {"select": select, "order": {"ID": "ASC"}})
    ids = [row["ID"] for row in page.data()]
    while page.more():
        page = await page.next()
        if page.error():
            raise RuntimeError(str(page.error()))
        ids += [row["ID"] for row in page.data()]
    return {"seconds": time.perf_counter() - started, "rows": len(ids), "unique": len(set(ids))}


async def fast(select):
    import time

    from pyb24 import BX24

    await BX24.init()
    started = time.perf_counter()
    rows = await BX24.list_all("crm.deal.list", {"select": select})
    ids = [row["ID"] for row in rows]
    return {"seconds": time.perf_counter() - started, "rows": len(ids), "unique": len(set(ids))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=10_000, help="deals in the portal (about)")
    parser.add_argument("--latency-ms", type=int, default=20)
    args = parser.parse_args()
    with portal() as (emulator, app):
        existing = emulator.store.count_items(2)
        if existing < args.deals:
            emulator.store.seed_deals(args.deals - existing)
        results = {}
        for name, func in (("naive next()", naive), ("BX24.list_all", fast)):
            emulator.rest.reset()  # a fresh bucket and an empty request log for each way
            emulator.rest.configure(rate_limit=True, latency_ms=args.latency_ms)
            outcome = app.run(func, ["ID", "TITLE"])
            outcome["requests"] = len(app.rest_calls())
            results[name] = outcome
    print(
        f"{results['naive next()']['rows']} deals, {args.latency_ms} ms latency, "
        "rate limit 50 + 2/s on:"
    )
    for name, r in results.items():
        print(
            f"  {name:14s} {r['requests']:5d} HTTP requests  {r['seconds']:8.2f} s  "
            f"({r['unique']} unique rows)"
        )
    naive_r, fast_r = results["naive next()"], results["BX24.list_all"]
    requests = naive_r["requests"] / fast_r["requests"]
    wall = naive_r["seconds"] / fast_r["seconds"]
    print(f"  requests naive/list_all: {requests:.1f}x  (target >= 20x)")
    print(f"  wall time naive/list_all: {wall:.1f}x  (target >= 10x)")


if __name__ == "__main__":
    main()
