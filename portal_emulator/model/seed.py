"""Realistic, deterministic seed data for the emulated portal: company structure, people, CRM.

Everything comes from fixed lists and a fixed random seed, so every fresh store holds the
same data and tests can name it: user 1 is the administrator Alex Morgan, department 1 is
"Acme Corp", deal 1 is "Northwind Traders — CRM rollout". Pure: rows in, no I/O.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import random
from collections.abc import Iterator
from typing import Any

from .crmfields import (
    COMPANY,
    COMPANY_TYPES,
    CONTACT,
    CONTACT_TYPES,
    CURRENCIES,
    DEAL,
    DEAL_TYPES,
    ENTITIES,
    LEAD,
    PRIORITIES,
    SMART_PROCESS,
    SOURCES,
    STAGES,
)
from .tasks import STATUSES as TASK_STATUSES
from .timefmt import PORTAL_TZ, iso, iso_date

SEED = 24  # the random seed; change it and every fact a test relies on may change

# (id, name, parent id, head user id)
DEPARTMENTS = (
    (1, "Acme Corp", None, 1),
    (2, "Sales", 1, 2),
    (3, "Marketing", 1, 4),
    (4, "Development", 1, 5),
    (5, "Customer Support", 1, 6),
    (6, "Finance", 1, None),
    (7, "Human Resources", 1, None),
    (8, "Sales Europe", 2, None),
    (9, "Quality Assurance", 4, None),
)

# The first six people predate the generated ones; user 1 is the portal administrator.
FIXED_USERS = (
    (1, "Alex", "Morgan", "alex.morgan@acme.example", "Chief Executive Officer", [1], True, "M"),
    (2, "Maria", "Lopez", "maria.lopez@acme.example", "Head of Sales", [2], False, "F"),
    (3, "James", "Chen", "james.chen@acme.example", "Sales Manager", [2], False, "M"),
    (4, "Olga", "Ivanova", "olga.ivanova@acme.example", "Marketing Lead", [3], False, "F"),
    (5, "Daniel", "Novak", "daniel.novak@acme.example", "Lead Developer", [4], False, "M"),
    (6, "Priya", "Sharma", "priya.sharma@acme.example", "Support Engineer", [5], False, "F"),
)

# How many generated people each department gets, and their job titles.
STAFFING = (
    (2, 30, ("Sales Manager", "Account Executive", "Sales Representative", "Key Account Manager")),
    (8, 14, ("Sales Manager", "Account Executive", "Business Development Manager")),
    (3, 14, ("Marketing Specialist", "Content Manager", "SEO Specialist", "Designer")),
    (
        4,
        30,
        (
            "Software Engineer",
            "Senior Software Engineer",
            "Frontend Developer",
            "Backend Developer",
            "DevOps Engineer",
        ),
    ),
    (9, 10, ("QA Engineer", "Test Automation Engineer")),
    (5, 14, ("Support Engineer", "Customer Success Manager", "Technical Writer")),
    (6, 6, ("Accountant", "Financial Analyst", "Payroll Specialist")),
    (7, 6, ("HR Manager", "Recruiter", "HR Business Partner")),
)
HEAD_TITLES = {6: "Head of Finance", 7: "Head of HR", 8: "Head of Sales Europe", 9: "QA Lead"}
INACTIVE_COUNT = 5  # dismissed employees (ACTIVE = false)

MALE = (
    "Liam",
    "Noah",
    "Oliver",
    "Lucas",
    "Mateo",
    "Ethan",
    "Henry",
    "Samuel",
    "Leo",
    "Jack",
    "Hugo",
    "Felix",
    "Marco",
    "Ivan",
    "Tomas",
    "Rafael",
    "Omar",
    "Kenji",
    "Arjun",
    "David",
    "Pavel",
    "Nikolai",
    "Erik",
    "Jonas",
    "Andre",
    "Victor",
    "Ben",
    "Kai",
    "Luca",
    "Adam",
)
FEMALE = (
    "Emma",
    "Olivia",
    "Sofia",
    "Mia",
    "Amelia",
    "Chloe",
    "Elena",
    "Hannah",
    "Lea",
    "Nora",
    "Zoe",
    "Anna",
    "Clara",
    "Ines",
    "Julia",
    "Yuki",
    "Aisha",
    "Fatima",
    "Mei",
    "Sara",
    "Laura",
    "Marta",
    "Ingrid",
    "Freya",
    "Lucia",
    "Nadia",
    "Irina",
    "Alice",
    "Grace",
    "Eva",
)
LAST_NAMES = (
    "Smith",
    "Johnson",
    "Garcia",
    "Muller",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Novak",
    "Jensen",
    "Silva",
    "Tanaka",
    "Kim",
    "Patel",
    "Singh",
    "Nguyen",
    "Martin",
    "Bernard",
    "Schmidt",
    "Fischer",
    "Weber",
    "Moreau",
    "Lambert",
    "Costa",
    "Santos",
    "Petrov",
    "Volkov",
    "Larsen",
    "Nielsen",
    "Berg",
    "Lindqvist",
    "O'Brien",
    "Murphy",
    "Walsh",
    "Hughes",
    "Evans",
    "Clarke",
    "Turner",
    "Baker",
    "Hall",
    "Young",
    "Reyes",
    "Cruz",
    "Ortiz",
    "Haddad",
    "Khan",
    "Ahmed",
    "Cohen",
    "Levi",
    "Horvat",
    "Kovac",
)
CITIES = (
    "Boston",
    "London",
    "Berlin",
    "Madrid",
    "Warsaw",
    "Lisbon",
    "Dublin",
    "Prague",
    "Toronto",
    "Austin",
    "Amsterdam",
    "Vienna",
)

COMPANY_NAMES = (
    "Northwind Traders",
    "Contoso",
    "Fabrikam",
    "Globex",
    "Initech",
    "Umbrella Labs",
    "Stark Logistics",
    "Wayne Shipping",
    "Tyrell Systems",
    "Cyberdyne Robotics",
    "Soylent Foods",
    "Hooli",
    "Vandelay Industries",
    "Wonka Confectionery",
    "Gringotts Finance",
    "Oceanic Airlines",
    "Pied Piper",
    "Massive Dynamic",
    "Aperture Science",
    "Black Mesa",
    "Monarch Solutions",
    "Blue Sun",
    "Dunder Mifflin",
    "Bluth Holdings",
    "Sterling Cooper",
    "Prestige Worldwide",
    "Nakatomi Trading",
    "Rekall Travel",
    "Octan Energy",
    "Zorg Industries",
)
PRODUCTS = (
    "CRM rollout",
    "Annual support contract",
    "Website redesign",
    "Cloud migration",
    "Data warehouse",
    "Mobile app",
    "Security audit",
    "Training package",
    "License renewal",
    "Hardware refresh",
    "Integration project",
    "Consulting retainer",
    "Marketing campaign",
    "Pilot project",
    "Premium subscription",
)
INDUSTRIES = (
    "IT",
    "MANUFACTURING",
    "BANKING",
    "CONSULTING",
    "DELIVERY",
    "ENTERTAINMENT",
    "GOVERNMENT",
    "TELECOM",
    "OTHER",
)
EMPLOYEES = ("EMPLOYEES_1", "EMPLOYEES_2", "EMPLOYEES_3", "EMPLOYEES_4")

SEED_COMPANIES = 30
SEED_CONTACTS = 80
SEED_LEADS = 60
SEED_DEALS = 150

EPOCH = dt.datetime(2024, 1, 8, 9, 0, tzinfo=PORTAL_TZ)  # the seeded history starts here
HISTORY_DAYS = 540


# -- people ---------------------------------------------------------------------------------


def users() -> list[dict[str, Any]]:
    """Every seeded user: the six fixed ones, then the generated staff (ids 7, 8, ...)."""
    return [dict(person) for person in _users()]


@functools.cache
def _users() -> tuple[dict[str, Any], ...]:
    rng = random.Random(SEED)
    people: list[dict[str, Any]] = []
    taken = set()
    for uid, name, last, email, position, departments, admin, gender in FIXED_USERS:
        people.append(_person(rng, uid, name, last, email, position, departments, admin, gender))
        taken.add((name, last))
    heads = dict.fromkeys(HEAD_TITLES)
    uid = len(FIXED_USERS)
    for department, count, titles in STAFFING:
        for index in range(count):
            uid += 1
            gender = rng.choice("MF")
            while True:
                name = rng.choice(MALE if gender == "M" else FEMALE)
                last = rng.choice(LAST_NAMES)
                if (name, last) not in taken:
                    break
            taken.add((name, last))
            if index == 0 and department in heads:
                heads[department] = uid
                position = HEAD_TITLES[department]
            else:
                position = rng.choice(titles)
            email = f"{name}.{last}@acme.example".lower().replace("'", "")
            people.append(
                _person(rng, uid, name, last, email, position, [department], False, gender)
            )
    head_ids = set(heads.values()) | {d[3] for d in DEPARTMENTS if d[3]}
    candidates = [p["id"] for p in people if p["id"] > len(FIXED_USERS) and p["id"] not in head_ids]
    for uid in rng.sample(candidates, INACTIVE_COUNT):
        people[uid - 1]["active"] = False
        people[uid - 1]["online"] = "N"
    return tuple(people)


def departments() -> list[tuple[int, str, int | None, int | None]]:
    """Departments with their heads (the first generated person of a new department)."""
    heads = {}
    uid = len(FIXED_USERS)
    for department, count, _titles in STAFFING:
        if department in HEAD_TITLES:
            heads[department] = uid + 1
        uid += count
    return [(d, name, parent, head or heads.get(d)) for d, name, parent, head in DEPARTMENTS]


def _person(rng, uid, name, last, email, position, departments, admin, gender) -> dict[str, Any]:
    registered = EPOCH - dt.timedelta(days=rng.randint(30, 2400), minutes=rng.randint(0, 600))
    last_login = EPOCH + dt.timedelta(
        days=HISTORY_DAYS - rng.randint(0, 20), minutes=rng.randint(0, 900)
    )
    birthday = dt.date(rng.randint(1965, 2001), rng.randint(1, 12), rng.randint(1, 28))
    return {
        "id": uid,
        "active": True,
        "name": name,
        "last_name": last,
        "email": email,
        "work_position": position,
        "departments": departments,
        "is_admin": admin,
        "gender": gender,
        "birthday": birthday.isoformat(),
        "work_phone": f"+1 555 01{uid:02d}" if uid < 100 else f"+1 555 1{uid:03d}",
        "mobile": f"+1 617 {rng.randint(200, 999)} {rng.randint(1000, 9999)}",
        "city": rng.choice(CITIES),
        "registered": iso(registered),
        "last_login": iso(last_login),
        "online": "Y" if rng.random() < 0.2 else "N",
    }


# -- CRM ------------------------------------------------------------------------------------


def crm_items() -> list[dict[str, Any]]:
    """Companies, contacts, leads and deals as ``crm_items`` rows (column -> value)."""
    return [dict(row) for row in _crm_items()]


@functools.cache
def _crm_items() -> tuple[dict[str, Any], ...]:
    rng = random.Random(SEED + 1)
    staff = _sales_staff()
    rows: list[dict[str, Any]] = []
    rows += _companies(rng, staff)
    rows += _contacts(rng, staff)
    rows += _leads(rng, staff)
    rows += _deals(rng, staff)
    rows += _projects(staff)
    return tuple(rows)


def _sales_staff() -> list[int]:
    """Active people who own CRM records: sales departments plus a few managers."""
    return [
        person["id"]
        for person in _users()
        if person["active"] and set(person["departments"]) & {2, 8}
    ]


def _timeline(rng: random.Random, count: int) -> list[dt.datetime]:
    moments = sorted(
        EPOCH + dt.timedelta(minutes=rng.randint(0, HISTORY_DAYS * 24 * 60)) for _ in range(count)
    )
    return [moment.replace(second=0) for moment in moments]


def _base(entity_type_id: int, item_id: int, created: dt.datetime, owner: int) -> dict[str, Any]:
    stamp = iso(created)
    return {
        "entity_type_id": entity_type_id,
        "id": item_id,
        "date_create": stamp,
        "date_modify": stamp,
        "created_by_id": owner,
        "modify_by_id": owner,
        "assigned_by_id": owner,
        "opened": "Y",
        "last_activity_time": stamp,
        "last_activity_by": owner,
        "observers": "[]",
    }


def _fm(item_id: int, email: str | None, phone: str | None) -> str:
    values = []
    if phone:
        values.append(
            {"id": item_id * 2 - 1, "typeId": "PHONE", "valueType": "WORK", "value": phone}
        )
    if email:
        values.append({"id": item_id * 2, "typeId": "EMAIL", "valueType": "WORK", "value": email})
    return json.dumps(values)


def _domain(title: str) -> str:
    return "".join(c for c in title.lower() if c.isalnum()) + ".example"


def _companies(rng: random.Random, staff: list[int]) -> list[dict[str, Any]]:
    rows = []
    for index, created in enumerate(_timeline(rng, SEED_COMPANIES), start=1):
        title = COMPANY_NAMES[index - 1]
        row = _base(COMPANY, index, created, rng.choice(staff))
        row.update(
            title=title,
            company_type=rng.choice(COMPANY_TYPES[:2]) if index > 1 else "CUSTOMER",
            industry=rng.choice(INDUSTRIES),
            employees=rng.choice(EMPLOYEES),
            revenue=float(rng.randrange(100_000, 50_000_000, 10_000)),
            currency_id="USD",
            is_my_company="N",
            source_id=rng.choice(SOURCES),
            fm=_fm(index, f"info@{_domain(title)}", f"+1 800 {rng.randint(200, 999)} {index:04d}"),
        )
        rows.append(row)
    return rows


def _contacts(rng: random.Random, staff: list[int]) -> list[dict[str, Any]]:
    rows = []
    for index, created in enumerate(_timeline(rng, SEED_CONTACTS), start=1):
        if index == 1:
            name, last, gender, company = "Emma", "Larsen", "F", 1
        else:
            gender = rng.choice("MF")
            name = rng.choice(MALE if gender == "M" else FEMALE)
            last = rng.choice(LAST_NAMES)
            company = rng.randint(1, SEED_COMPANIES)
        domain = _domain(COMPANY_NAMES[company - 1])
        email = f"{name}.{last}@{domain}".lower().replace("'", "")
        row = _base(CONTACT, index, created, rng.choice(staff))
        row.update(
            honorific="HNR_EN_1" if gender == "M" else "HNR_EN_2",
            name=name,
            last_name=last,
            post=rng.choice(("CEO", "CTO", "Purchasing Manager", "Project Manager", "Accountant")),
            birthdate=None,
            type_id=rng.choice(CONTACT_TYPES[:2]) if index > 1 else "CLIENT",
            company_id=company,
            source_id=rng.choice(SOURCES),
            fm=_fm(index, email, f"+1 {rng.randint(200, 989)} {rng.randint(200, 999)} {index:04d}"),
            uf_crm_linkedin=f"linkedin.com/in/{name}-{last}".lower() if index % 3 == 1 else None,
        )
        rows.append(row)
    return rows


def _leads(rng: random.Random, staff: list[int]) -> list[dict[str, Any]]:
    rows = []
    stages = [stage for stage, _ in STAGES[LEAD]]
    for index, created in enumerate(_timeline(rng, SEED_LEADS), start=1):
        gender = rng.choice("MF")
        name = rng.choice(MALE if gender == "M" else FEMALE)
        last = rng.choice(LAST_NAMES)
        company_title = rng.choice(COMPANY_NAMES)
        stage = rng.choices(stages, weights=(5, 4, 2, 3, 2))[0]
        row = _base(LEAD, index, created, rng.choice(staff))
        row.update(
            title=f"{company_title}: {rng.choice(PRODUCTS).lower()} enquiry",
            name=name,
            last_name=last,
            company_title=company_title,
            stage_id=stage,
            stage_semantic_id=dict(STAGES[LEAD])[stage],
            moved_by_id=row["assigned_by_id"],
            moved_time=row["date_create"],
            currency_id="USD",
            opportunity=float(rng.randrange(500, 60_000, 100)),
            is_manual_opportunity="N",
            source_id=rng.choice(SOURCES),
            fm=_fm(index, f"{name}.{last}@mail.example".lower().replace("'", ""), None),
        )
        rows.append(row)
    return rows


# Deals 1-3 are fixed so tests can name them (with their user fields: budget, priority,
# source note); the rest come from the generator, four in ten in funnels 1 and 2.
FIXED_DEALS = (
    ("Northwind Traders — CRM rollout", "NEW", 12000.0, "USD", 3, 1, 1),
    ("Contoso — Annual support contract", "WON", 48000.0, "EUR", 2, 2, None),
    ("Fabrikam — Website redesign", "PREPARATION", 7500.0, "USD", 3, 3, None),
)


def _deals(rng: random.Random, staff: list[int]) -> list[dict[str, Any]]:
    rows = []
    for index, created in enumerate(_timeline(rng, SEED_DEALS), start=1):
        if index <= len(FIXED_DEALS):
            title, stage, amount, currency, owner, company, contact = FIXED_DEALS[index - 1]
        else:
            company = rng.randint(1, SEED_COMPANIES)
            title = f"{COMPANY_NAMES[company - 1]} — {rng.choice(PRODUCTS)}"
            stage = _deal_stage(rng)
            amount = float(rng.randrange(500, 250_000, 100))
            currency = rng.choices(CURRENCIES, weights=(7, 2, 1))[0]
            owner = rng.choice(staff)
            contact = rng.choice((None, rng.randint(1, SEED_CONTACTS)))
        rows.append(
            _deal_row(rng, index, created, title, stage, amount, currency, owner, company, contact)
        )
    return rows


_DEAL_STAGES = [stage for stage, _ in STAGES[DEAL]]
_DEAL_STAGE_WEIGHTS = list(itertools.accumulate((6, 5, 3, 3, 2, 5, 3, 1)))


def _deal_stage(rng: random.Random) -> str:
    return rng.choices(_DEAL_STAGES, cum_weights=_DEAL_STAGE_WEIGHTS)[0]


FIXED_DEAL_UFS = (
    ("15000|USD", 47, "Met at the Berlin trade show"),
    ("50000|EUR", 46, None),
    (None, 45, None),
)
# A funnel-0 stage's counterpart in funnel 2 ("Partners"), which has four stages; funnel 1
# ("Enterprise") has them all.
_PARTNER_STAGE = {
    "NEW": "NEW",
    "PREPARATION": "NEW",
    "PREPAYMENT_INVOICE": "EXECUTING",
    "EXECUTING": "EXECUTING",
    "FINAL_INVOICE": "EXECUTING",
    "WON": "WON",
    "LOSE": "LOSE",
    "APOLOGY": "LOSE",
}
_SOURCE_NOTES = ("Referred by a partner", "Asked for a demo", "Renewal of last year's deal")


def _deal_user_fields(index: int, amount: float, currency: str) -> dict[str, Any]:
    """The category and user-field values of deal ``index``, drawn from a random of their
    own so the other seeded facts stay as they were."""
    if index <= len(FIXED_DEALS):
        budget, priority, note = FIXED_DEAL_UFS[index - 1]
        return {
            "category_id": 0,
            "uf_crm_budget": budget,
            "uf_crm_priority": priority,
            "uf_crm_source_note": note,
        }
    rng = random.Random(f"{SEED}:deal-uf:{index}")
    budget = round(amount * rng.choice((0.8, 1.0, 1.25)), -2)
    return {
        "category_id": rng.choices((0, 1, 2), weights=(6, 3, 1))[0],
        "uf_crm_budget": f"{budget:.0f}|{currency}" if rng.random() < 0.6 else None,
        "uf_crm_priority": rng.choice((None, *[key for key, _ in PRIORITIES])),
        "uf_crm_source_note": rng.choice((None, None, *_SOURCE_NOTES)),
    }


def _deal_row(rng, index, created, title, stage, amount, currency, owner, company, contact):
    extra = _deal_user_fields(index, amount, currency)
    if extra["category_id"] == 1:
        stage = f"C1:{stage}"
    elif extra["category_id"] == 2:
        stage = f"C2:{_PARTNER_STAGE[stage]}"
    semantic = ENTITIES[DEAL].stage_semantic(stage)
    row = _base(DEAL, index, created, owner)
    begin = created.date()
    row.update(
        title=title,
        type_id=rng.choice(DEAL_TYPES[:3]),
        **extra,
        stage_id=stage,
        stage_semantic_id=semantic,
        moved_by_id=owner,
        moved_time=row["date_create"],
        closed="N" if semantic == "P" else "Y",
        probability=None,
        currency_id=currency,
        opportunity=amount,
        is_manual_opportunity="N",
        tax_value=0.0,
        company_id=company,
        contact_id=contact,
        contact_ids=json.dumps([contact] if contact else []),
        begindate=iso_date(begin),
        closedate=iso_date(begin + dt.timedelta(days=rng.randint(7, 90))),
        source_id=rng.choice(SOURCES),
    )
    return row


def bulk_deals(first_id: int, count: int, staff: list[int]) -> Iterator[dict[str, Any]]:
    """``count`` more deals for benchmarks, ids from ``first_id``; deterministic per range."""
    rng = random.Random(f"{SEED}:{first_id}:{count}")
    for offset in range(count):
        index = first_id + offset
        created = EPOCH + dt.timedelta(minutes=(index * 37) % (HISTORY_DAYS * 24 * 60))
        company = rng.randint(1, SEED_COMPANIES)
        yield _deal_row(
            rng,
            index,
            created,
            f"{COMPANY_NAMES[company - 1]} — {rng.choice(PRODUCTS)} #{index}",
            _deal_stage(rng),
            float(rng.randrange(500, 250_000, 100)),
            rng.choices(CURRENCIES, weights=(7, 2, 1))[0],
            rng.choice(staff),
            company,
            None,
        )


PROJECTS = (  # the smart process "Projects" (1032): title, stage, company, contact
    ("Northwind CRM rollout", "DT1032_8:PREPARATION", 1, 1),
    ("Contoso support onboarding", "DT1032_8:CLIENT", 2, None),
    ("Fabrikam website", "DT1032_8:NEW", 3, None),
    ("Globex data warehouse", "DT1032_8:SUCCESS", 4, None),
    ("Initech security audit", "DT1032_8:FAIL", 5, None),
    ("Hooli mobile app", "DT1032_8:CLIENT", 12, None),
    ("Pied Piper pilot", "DT1032_8:NEW", 17, None),
    ("Umbrella Labs cloud migration", "DT1032_8:PREPARATION", 6, None),
)


def _projects(staff: list[int]) -> list[dict[str, Any]]:
    rng = random.Random(f"{SEED}:projects")
    entity = ENTITIES[SMART_PROCESS]
    rows = []
    for index, (title, stage, company, contact) in enumerate(PROJECTS, start=1):
        created = EPOCH + dt.timedelta(days=30 * index, hours=rng.randint(0, 8))
        owner = staff[index % len(staff)]
        begin = created.date()
        row = _base(SMART_PROCESS, index, created, owner)
        row.update(
            title=title,
            category_id=8,
            stage_id=stage,
            stage_semantic_id=entity.stage_semantic(stage),
            moved_by_id=owner,
            moved_time=row["date_create"],
            company_id=company,
            contact_id=contact,
            contact_ids=json.dumps([contact] if contact else []),
            currency_id="USD",
            opportunity=float(rng.randrange(5_000, 90_000, 500)),
            is_manual_opportunity="Y",
            tax_value=0.0,
            begindate=iso_date(begin),
            closedate=iso_date(begin + dt.timedelta(days=rng.randint(30, 120))),
            source_id=rng.choice(SOURCES),
            uf_crm_5_deadline=iso_date(begin + dt.timedelta(days=rng.randint(20, 100))),
        )
        rows.append(row)
    return rows


def staff_ids() -> list[int]:
    return _sales_staff()


# -- tasks ----------------------------------------------------------------------------------

SEED_TASKS = 80
TASK_TITLES = (
    "Prepare the quarterly report",
    "Call back about the proposal",
    "Update the price list",
    "Review the contract draft",
    "Plan the product demo",
    "Fix the login page layout",
    "Onboard the new account manager",
    "Collect feedback from the pilot",
)


def tasks() -> list[dict[str, Any]]:
    """Tasks as ``tasks`` rows (column -> value), ids 1..SEED_TASKS."""
    rng = random.Random(SEED + 2)
    people = [person["id"] for person in _users() if person["active"]]
    rows = []
    for task_id, created in enumerate(_timeline(rng, SEED_TASKS), start=1):
        status = rng.choice(TASK_STATUSES)
        changed = created + dt.timedelta(hours=rng.randint(1, 400))
        deadline = created + dt.timedelta(days=rng.randint(1, 30))
        rows.append(
            {
                "id": task_id,
                "title": f"{rng.choice(TASK_TITLES)} #{task_id}",
                "description": "",
                "status": status,
                "priority": rng.choice((0, 1, 1, 2)),
                "responsible_id": rng.choice(people),
                "created_by": rng.choice(people[:20]),
                "created_date": iso(created),
                "changed_date": iso(changed),
                "deadline": iso(deadline) if rng.random() < 0.7 else None,
                "closed_date": iso(changed) if status == 5 else None,
                "group_id": 0,
            }
        )
    return rows
