"""A deal tab as its author writes it, with what an editor must know at each step.

``tests/project/test_editor.py`` runs mypy --strict and pyright (strict) on this file: both
must pass it, and each ``reveal_type(x)  # T`` must reveal ``T`` (module names left out).
A ``# type: ignore[code]  # pyright: ignore[rule]`` line must be an error to both.
"""

from typing import reveal_type

from pyb24 import BX24, B24Error


async def main() -> None:
    reveal_type(BX24)  # BX24Facade
    reveal_type(BX24.init())  # Future[None]
    await BX24.init()

    # BX24.js names and their PEP 8 aliases: the same signatures
    reveal_type(await BX24.callMethod("user.current"))  # AjaxResult
    reveal_type(await BX24.call_method("user.current"))  # AjaxResult
    reveal_type(BX24.is_admin())  # bool
    reveal_type(BX24.user_option)  # UserOption
    reveal_type(BX24.placement.bind_event("BackgroundCallCard::initialized"))  # EventBinding

    # what BX24 hands back: TypedDicts
    auth = BX24.get_auth()
    reveal_type(auth)  # AuthFields | Literal[False]
    if auth:
        reveal_type(auth["access_token"])  # str
        reveal_type(auth["expires_in"])  # int
    info = BX24.placement.info()
    reveal_type(info["placement"])  # str | None
    reveal_type(info["options"])  # dict[str, Any] | None
    reveal_type(await BX24.placement.get_interface())  # PlacementInterface
    user = await BX24.select_user("Who reviews this deal?")
    reveal_type(user)  # SelectedUser
    reveal_type(user["id"])  # str
    chosen = await BX24.select_crm({"entityType": ["deal"], "multiple": False})
    reveal_type(chosen["deal"][0])  # SelectedCrm
    reveal_type(await BX24.select_access(["AU"]))  # list[SelectedAccess]
    reveal_type(BX24.selectAccess("Who may see it?", ["AU"], print))  # Future[list[SelectedAccess]]
    BX24.selectAccess(42)  # type: ignore[call-overload]  # pyright: ignore[reportCallIssue, reportArgumentType]

    # the Pythonic layer: keyword options spelled out
    deals = await BX24.list_all("crm.deal.list", limit=10, strategy="cursor", typed=True)
    reveal_type(deals)  # list[Any]
    await BX24.list_all("crm.deal.list", limt=10)  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]
    fields = await BX24.fields("crm.deal")
    reveal_type(fields)  # dict[str, Field]
    try:
        await BX24.call("crm.deal.get", {"id": 1}, typed=True)
    except B24Error as error:
        reveal_type(error.code)  # str
