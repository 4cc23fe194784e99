"""The emulated portal's data model, below REST and HTTP. Pure: no I/O, no SQL connection.

* :mod:`.crmfields` — CRM entity types, their fields and stages; the ``crm_items`` schema
* :mod:`.tasks` — task fields and the ``tasks`` schema
* :mod:`.dictionaries` — statuses and stages, funnels, currencies: schema and seed rows
* :mod:`.dealparts` — a deal's product rows and contact binding order: schema, prices, seed
* :mod:`.timeline` — activities and timeline comments: fields, schema, seed
* :mod:`.seed` — the deterministic seed data (directory, CRM, bulk deals, tasks)
* :mod:`.timefmt` — dates as the portal writes and reads them

:mod:`portal_emulator.store` keeps this model in SQLite. Layers import downwards only:
model ← store ← rest ← server (``tests/emulator/test_rest_layers.py`` guards it).
"""
