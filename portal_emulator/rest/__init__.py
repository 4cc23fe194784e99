"""The REST half of the emulated portal: ``/rest/<method>`` over the shared SQLite store.

* :mod:`.phpquery` — PHP's ``parse_str`` and the JSON shape of PHP arrays (pure)
* :mod:`.emulator` — :class:`RestEmulator`: auth, envelopes, faults, rate limit, the log
* :mod:`.records` — :class:`Records`: the store in the REST shape, for tests (``add``…)
* :mod:`.methods` — the method table (with :mod:`.directory`, :mod:`.crm`,
  :mod:`.dictionaries`, :mod:`.dealparts`, :mod:`.timeline`, :mod:`.tasks`, :mod:`.batch`);
  :mod:`.filters` — the filter language, parsed once, to SQL or Python

The data model (CRM fields, seed data, date formats) lives below this layer in
:mod:`portal_emulator.model` and :mod:`portal_emulator.store`; nothing here imports the HTTP
server, and nothing below imports this package.
"""

from .emulator import RestEmulator, RestReply, RestRequest
from .records import Records

__all__ = ["Records", "RestEmulator", "RestReply", "RestRequest"]
