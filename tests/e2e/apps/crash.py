"""e2e: an app whose start-up raises (b24.open() must say so at once, with this file's name).

``?at=import``: a NameError before BX24.init(); otherwise one after init and a REST call."""

import js

from pyb24 import BX24

if "at=import" in js.location.search:
    shw("booting")  # noqa: F821 - the misspelt name under test

await BX24.init()  # noqa: F704, PLE1142 - PyScript runs this file with top-level await
me = await BX24.callMethod("user.current")  # noqa: F704, PLE1142
shw(me.data()["NAME"])  # noqa: F821 - the misspelt name under test
