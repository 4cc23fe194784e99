"""The REST half of the emulated portal: ``/rest/<method>`` over the shared SQLite store.

* :mod:`.phpquery` — PHP's ``parse_str`` and the JSON shape of PHP arrays (pure)
* :mod:`.emulator` — :class:`RestEmulator`: auth, envelopes, faults, rate limit, the log
* :mod:`.methods` — the method table (with :mod:`.directory`, :mod:`.crm`, :mod:`.batch`)
* :mod:`.crmfields`, :mod:`.seed` — the CRM model and the deterministic seed data

The store imports :mod:`.seed` and :mod:`.crmfields`, so nothing in this package may import
the store at module level (type hints only).
"""

from .emulator import RestEmulator, RestReply, RestRequest

__all__ = ["RestEmulator", "RestReply", "RestRequest"]
