"""App storage over real HTTP: entity.*, entity.item.property.*, entity.item.*,
entity.section.*, as the pages under api-reference/entity/ of the REST docs give them."""

import pytest

from tests.support.restkit import client

pytestmark = pytest.mark.usefixtures("emu")


@pytest.fixture
def dishes(admin):
    """The docs' example storage: ``dish`` with a number property ``price``."""
    assert admin.call("entity.add", {"ENTITY": "dish", "NAME": "Dishes"}).result is True
    admin.call("entity.item.property.add", {"ENTITY": "dish", "PROPERTY": "price", "TYPE": "N"})
    return admin


# api-reference/entity/entities/entity-add.md, entity-get.md, entity-update.md, entity-delete.md
def test_a_storage_is_made_renamed_and_removed(admin):
    access = {"U1": "W", "AU": "R"}
    assert admin.call("entity.add", {"ENTITY": "dish", "NAME": "Dishes", "ACCESS": access}).result
    got = admin.call("entity.get", {"ENTITY": "dish"}).result
    assert got == {
        "ID": got["ID"],
        "IBLOCK_TYPE_ID": "rest_entity",
        "ENTITY": "dish",
        "NAME": "Dishes",
    }
    assert admin.call(
        "entity.update", {"ENTITY": "dish", "NAME": "Dishes v2", "ENTITY_NEW": "dish_v2"}
    ).result
    assert [e["ENTITY"] for e in admin.call("entity.get").result] == ["dish_v2"]
    assert admin.call("entity.delete", {"ENTITY": "dish_v2"}).result is True
    assert admin.call("entity.get").result == []


@pytest.mark.parametrize(
    ("method", "params", "expected"),
    [
        (
            "entity.add",
            {"NAME": "x"},
            (400, "ERROR_ARGUMENT", "Argument 'ENTITY' is null or empty"),
        ),
        (
            "entity.add",
            {"ENTITY": "***", "NAME": "x"},
            (400, "ERROR_ARGUMENT", "Argument 'ENTITY' is null or empty"),
        ),
        (
            "entity.add",
            {"ENTITY": "a" * 14, "NAME": "x"},
            (400, "ERROR_ARGUMENT", "Entity code is too long. Max length is 13 characters."),
        ),
        (
            "entity.add",
            {"ENTITY": "dish", "NAME": "x"},
            (400, "ERROR_ENTITY_ALREADY_EXISTS", "Entity already exists"),
        ),
        ("entity.get", {"ENTITY": "nope"}, (400, "ERROR_ENTITY_NOT_FOUND", "Entity not found")),
        ("entity.delete", {"ENTITY": "nope"}, (400, "ERROR_ENTITY_NOT_FOUND", "Entity not found")),
        (
            "entity.item.add",
            {"ENTITY": "nope"},
            (400, "ERROR_ENTITY_NOT_FOUND", "Entity not found"),
        ),
        (
            "entity.item.update",
            {"ENTITY": "dish", "ID": 0},
            (400, "ERROR_ARGUMENT", "Argument 'ID' is null or empty"),
        ),
        (
            "entity.item.update",
            {"ENTITY": "dish", "ID": 10**30},
            (400, "ERROR_ARGUMENT", "Argument 'ID' is null or empty"),
        ),
        (
            "entity.item.delete",
            {"ENTITY": "dish", "ID": 999},
            (400, "ERROR_ITEM_NOT_FOUND", "Item not found"),
        ),
        (
            "entity.section.update",
            {"ENTITY": "dish", "ID": 999},
            (400, "ERROR_SECTION_NOT_FOUND", "Section not found"),
        ),
        (
            "entity.section.add",
            {"ENTITY": "dish"},
            (400, "ERROR_ARGUMENT", "Argument 'NAME' is null or empty"),
        ),
        (
            "entity.section.add",
            {"ENTITY": "dish", "NAME": "s", "SECTION": 999},
            (400, "ERROR_CORE", "Invalid parent section!"),
        ),
        (
            "entity.item.add",
            {"ENTITY": "dish", "DATE_ACTIVE_FROM": "someday"},
            (400, "ERROR_ARGUMENT", "Field validation errors for the item"),
        ),
        (
            "entity.item.property.add",
            {"ENTITY": "dish", "PROPERTY": "price"},
            (400, "ERROR_PROPERTY_ALREADY_EXISTS", "Property already exists"),
        ),
        (
            "entity.item.property.add",
            {"ENTITY": "dish", "PROPERTY": "p", "TYPE": "L"},
            (400, "ERROR_UNSUPPORTED_PROPERTY_TYPE", "Invalid property type"),
        ),
        (
            "entity.item.property.add",
            {"ENTITY": "dish", "PROPERTY": "p", "TYPE": "Q"},
            (400, "ERROR_ARGUMENT", "Wrong entity item property type"),
        ),
        (
            "entity.item.property.add",
            {"ENTITY": "dish", "PROPERTY": "1p"},
            (400, "ERROR_CORE", "Property code cannot start with a digit"),
        ),
        (
            "entity.item.property.get",
            {"ENTITY": "dish", "PROPERTY": "nope"},
            (400, "ERROR_PROPERTY_NOT_FOUND", "Property not found"),
        ),
        (
            "entity.item.property.update",
            {"ENTITY": "dish", "PROPERTY": "price", "TYPE": "F"},
            (400, "ERROR_ARGUMENT", "Cannot change property type to File"),
        ),
    ],
)
def test_bad_requests_get_the_documented_errors(dishes, method, params, expected):
    assert dishes.call(method, params).failure == expected


def test_items_filter_sort_and_page_like_the_docs(dishes):
    section = dishes.call("entity.section.add", {"ENTITY": "dish", "NAME": "Soups"}).result
    ids = [
        dishes.call(
            "entity.item.add",
            {
                "ENTITY": "dish",
                "NAME": f"Dish {n:02}",
                "PROPERTY_VALUES": {"price": n, "unknown": "dropped"},
                "SECTION": section if n % 2 else None,
                "DATE_ACTIVE_FROM": "2026-03-25T12:00:00+01:00",
            },
        ).result
        for n in range(1, 61)
    ]
    assert all(isinstance(item_id, int) for item_id in ids)
    page = dishes.call("entity.item.get", {"ENTITY": "dish"}).json()
    assert page["total"] == 60 and page["next"] == 50 and len(page["result"]) == 50
    first = page["result"][0]
    assert first["ID"] == str(ids[0]) and first["ENTITY"] == "dish" and first["SORT"] == "500"
    assert first["PROPERTY_VALUES"] == {"price": "1"} and first["SECTION"] == str(section)
    assert first["DATE_ACTIVE_FROM"] == "2026-03-25T14:00:00+03:00"  # in the portal's zone
    last = dishes.call("entity.item.get", {"ENTITY": "dish", "start": 50}).json()
    assert "next" not in last and len(last["result"]) == 10
    cheap = dishes.call(
        "entity.item.get",
        {"ENTITY": "dish", "FILTER": {"<=PROPERTY_price": 3}, "SORT": {"NAME": "DESC"}},
    ).result
    assert [item["NAME"] for item in cheap] == ["Dish 03", "Dish 02", "Dish 01"]
    in_soups = dishes.call("entity.item.get", {"ENTITY": "dish", "FILTER": {"SECTION": section}})
    assert in_soups.json()["total"] == 30


def test_updates_keep_what_they_do_not_name(dishes):
    dishes.call("entity.item.property.add", {"ENTITY": "dish", "PROPERTY": "note"})
    item_id = dishes.call(
        "entity.item.add", {"ENTITY": "dish", "NAME": "Pho", "PROPERTY_VALUES": {"price": 7}}
    ).result
    assert dishes.call(
        "entity.item.update", {"ENTITY": "dish", "ID": item_id, "PROPERTY_VALUES": {"note": "hot"}}
    ).result
    (item,) = dishes.call("entity.item.get", {"ENTITY": "dish", "FILTER": {"ID": item_id}}).result
    assert item["NAME"] == "Pho" and item["PROPERTY_VALUES"] == {"price": "7", "note": "hot"}
    # a renamed property carries its values; a deleted one takes them away
    dishes.call(
        "entity.item.property.update",
        {"ENTITY": "dish", "PROPERTY": "price", "PROPERTY_NEW": "cost"},
    )
    dishes.call("entity.item.property.delete", {"ENTITY": "dish", "PROPERTY": "note"})
    (item,) = dishes.call("entity.item.get", {"ENTITY": "dish"}).result
    assert item["PROPERTY_VALUES"] == {"cost": "7"}
    assert dishes.call("entity.item.delete", {"ENTITY": "dish", "ID": item_id}).result is True
    assert dishes.call("entity.item.get", {"ENTITY": "dish"}).json()["total"] == 0


def test_sections_know_their_place_in_the_tree(dishes):
    # entity-section-get.md: LEFT_MARGIN, RIGHT_MARGIN, DEPTH_LEVEL of each section
    def add(name, **more):
        return dishes.call("entity.section.add", {"ENTITY": "dish", "NAME": name, **more}).result

    menu = add("Menu")
    soups = add("Soups", SECTION=menu)
    add("Cold", SECTION=soups)
    add("Drinks")
    shown = {
        s["NAME"]: (s["DEPTH_LEVEL"], s["LEFT_MARGIN"], s["RIGHT_MARGIN"])
        for s in dishes.call("entity.section.get", {"ENTITY": "dish"}).result
    }
    assert shown == {
        "Menu": ("1", "1", "6"),
        "Soups": ("2", "2", "5"),
        "Cold": ("3", "3", "4"),
        "Drinks": ("1", "7", "8"),
    }
    # a section cannot move under its own subsection
    moved = dishes.call("entity.section.update", {"ENTITY": "dish", "ID": menu, "SECTION": soups})
    assert moved.failure == (400, "ERROR_CORE", "Invalid parent section!")


def test_deleting_a_section_takes_its_subsections_and_items(dishes):
    top = dishes.call("entity.section.add", {"ENTITY": "dish", "NAME": "Menu"}).result
    sub = dishes.call(
        "entity.section.add", {"ENTITY": "dish", "NAME": "Soups", "SECTION": top}
    ).result
    dishes.call("entity.item.add", {"ENTITY": "dish", "NAME": "Pho", "SECTION": sub})
    dishes.call("entity.item.add", {"ENTITY": "dish", "NAME": "Bread"})
    assert dishes.call("entity.section.delete", {"ENTITY": "dish", "ID": top}).result is True
    assert dishes.call("entity.section.get", {"ENTITY": "dish"}).result == []
    assert [i["NAME"] for i in dishes.call("entity.item.get", {"ENTITY": "dish"}).result] == [
        "Bread"
    ]


# api-reference/entity/entities/entity-rights.md
def test_rights_decide_who_reads_writes_and_manages(admin, maria):
    admin.call("entity.add", {"ENTITY": "dish", "NAME": "Dishes"})
    admin.call("entity.item.add", {"ENTITY": "dish", "NAME": "Pho"})
    assert maria.call("entity.item.get", {"ENTITY": "dish"}).result == []  # no grant: sees nothing
    denied = (403, "ACCESS_DENIED", "Access denied!")
    assert maria.call("entity.item.add", {"ENTITY": "dish", "NAME": "x"}).failure == denied
    rights = admin.call(
        "entity.rights", {"ENTITY": "dish", "ACCESS": {"AU": "R", "U2": "W", "U3": "Z"}}
    )
    assert rights.result == {"AU": "R", "U2": "W", "U1": "X"}  # unknown level dropped, caller X
    assert [i["NAME"] for i in maria.call("entity.item.get", {"ENTITY": "dish"}).result] == ["Pho"]
    assert isinstance(maria.call("entity.item.add", {"ENTITY": "dish", "NAME": "x"}).result, int)
    assert maria.call("entity.delete", {"ENTITY": "dish"}).failure == denied
    assert maria.call("entity.rights", {"ENTITY": "nope"}).result is None


def test_storages_are_the_apps_own_and_reset_with_the_portal(emu, admin):
    admin.call("entity.add", {"ENTITY": "dish", "NAME": "Dishes"})
    rows = emu.store.fetch("SELECT app, code FROM app_entities")
    assert [tuple(row) for row in rows] == [("local.pyb24", "dish")]
    emu.reset()
    assert client(emu, 1).call("entity.get").result == []
