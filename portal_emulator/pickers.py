"""What the portal's pickers show (selectUser, selectAccess, selectCRM), read from the store.

The emulated portal page fetches ``GET /portal/api/directory`` once, when the first picker
opens, and answers the app with the entries exactly as they are built here — in the shapes of
PROTOCOL.md §3.11–3.13 — so this module is where those reply shapes live.
"""

from __future__ import annotations

from typing import Any

from .store import Store

# selectCRM's entity types: (type name, CRM entity type id, id prefix, URL part).
CRM_TYPES = (
    ("lead", 1, "L", "lead"),
    ("deal", 2, "D", "deal"),
    ("contact", 3, "C", "contact"),
    ("company", 4, "CO", "company"),
    ("quote", 7, "Q", "quote"),  # the store has no quotes: an empty tab, as on a fresh portal
)

# selectAccess's "other" tab: general recipient categories (provider "other").
GENERAL_ACCESS = (
    ("AU", "All authorized users"),
    ("G2", "All users (including unauthorized visitors)"),
    ("CR", "Author"),
)


def directory(store: Store) -> dict[str, Any]:
    """Everything the pickers need, in one JSON-able dict."""
    users = [u for u in store.users() if u.active]
    departments = [
        {"id": row["id"], "name": row["name"], "parentId": row["parent_id"]}
        for row in store.fetch("SELECT id, name, parent_id FROM departments ORDER BY id")
    ]
    return {
        "users": [picked_user(u) for u in users],
        "access": access_entries(users, departments),
        "departments": departments,
        "crm": crm_entries(store),
    }


def picked_user(user) -> dict[str, Any]:
    """A user as selectUser answers it (§3.11): ``id`` is a numeric string."""
    return {
        "id": str(user.id),
        "name": user.full_name,
        "photo": user.profile.get("photo") or "",
        "position": user.work_position,
        "url": f"/company/personal/user/{user.id}/",
        "sub": False,
        "sup": False,
    }


def access_entries(users, departments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """selectAccess's choices, each ``{id, name, provider, tab}`` (``tab`` is for the page)."""
    entries = []
    for user in users:
        entries.append({"id": f"U{user.id}", "name": user.full_name, "provider": "user"})
    for dep in departments:
        entries.append(
            {"id": f"D{dep['id']}", "name": f"{dep['name']}: department employees",
             "provider": "intranet"}
        )  # fmt: skip
        entries.append(
            {"id": f"DR{dep['id']}", "name": f"{dep['name']}: with all subdepartments",
             "provider": "intranet"}
        )  # fmt: skip
    for code, name in GENERAL_ACCESS:
        entries.append({"id": code, "name": name, "provider": "other"})
    return entries


def crm_entries(store: Store) -> dict[str, list[dict[str, Any]]]:
    """selectCRM's choices per type, each in the reply shape ``{id, type, place, title, desc,
    url}`` (§3.13), newest first as the portal's picker lists them."""
    companies = {
        row["id"]: row["title"]
        for row in store.fetch("SELECT id, title FROM crm_items WHERE entity_type_id=4")
    }
    result: dict[str, list[dict[str, Any]]] = {}
    for kind, type_id, prefix, url_part in CRM_TYPES:
        rows = store.fetch(
            "SELECT * FROM crm_items WHERE entity_type_id=? ORDER BY id DESC", (type_id,)
        )
        result[kind] = [
            {
                "id": f"{prefix}_{row['id']}",
                "type": kind,
                "place": kind,
                "title": _title(kind, row),
                "desc": _description(kind, row, companies),
                "url": f"/crm/{url_part}/details/{row['id']}/",
            }
            for row in rows
        ]
    return result


def _person(row) -> str:
    return " ".join(part for part in (row["name"], row["last_name"]) if part)


def _title(kind: str, row) -> str:
    if kind == "contact":
        return _person(row) or f"Contact #{row['id']}"
    return row["title"] or f"{kind.title()} #{row['id']}"


def _description(kind: str, row, companies: dict[int, str]) -> str:
    if kind == "deal":
        amount = row["opportunity"] or 0
        return f"{amount:,.0f} {row['currency_id'] or ''}".replace(",", " ").strip()
    if kind == "contact":
        return companies.get(row["company_id"]) or row["post"] or ""
    if kind == "lead":
        return _person(row)
    if kind == "company":
        return row["industry"] or ""
    return ""
