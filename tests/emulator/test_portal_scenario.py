"""The portal page's query-string knobs: defaults, parsing and clear errors."""

import re

import pytest

from portal_emulator.scenario import Scenario, ScenarioError, parse_scenario


def test_empty_query_gives_the_defaults():
    scenario = parse_scenario("")
    assert scenario == Scenario()
    assert scenario.app == "/index.html"
    assert scenario.frame == "cross"
    assert scenario.admin is None  # the user's own flag; user 1 is an admin
    assert scenario.user == 1
    assert scenario.lang == "en"
    assert scenario.first_run is None
    assert scenario.install is None
    assert scenario.placement == "DEFAULT"
    assert scenario.placement_options == {}
    assert scenario.deny == ()
    assert scenario.hold == ()
    assert scenario.expires == 3600


def test_every_knob_is_parsed():
    scenario = parse_scenario(
        "?app=/tests/e2e/apps/x.html&frame=same&admin=0&user=3&lang=RU&first_run=1&install=0"
        "&placement=crm_deal_detail_tab&placement_options=%7B%22ID%22%3A%2242%22%7D"
        "&deny=setTitle,%20resizeWindow&hold=refreshAuth&expires=5&install_finished=y"
    )
    assert scenario.app == "/tests/e2e/apps/x.html"
    assert scenario.frame == "same"
    assert scenario.admin is False
    assert scenario.user == 3
    assert scenario.lang == "ru"
    assert scenario.first_run is True
    assert scenario.install is False
    assert scenario.placement == "CRM_DEAL_DETAIL_TAB"
    assert scenario.placement_options == {"ID": "42"}
    assert scenario.deny == ("setTitle", "resizeWindow")
    assert scenario.hold == ("refreshAuth",)
    assert scenario.expires == 5
    assert scenario.install_finished == "Y"


def test_a_mapping_works_like_a_query_string():
    assert parse_scenario({"admin": "1", "user": "2"}) == Scenario(admin=True, user=2)


def test_empty_values_count_as_absent():
    assert parse_scenario("app=&admin=&deny=&placement_options=") == Scenario()


def test_full_app_url_is_accepted():
    scenario = parse_scenario("app=http://localhost:9000/page.html?x=1")
    assert scenario.app == "http://localhost:9000/page.html?x=1"
    assert scenario.app_is_url


def test_lists_are_trimmed_and_deduplicated():
    assert parse_scenario("deny=a,,b , a").deny == ("a", "b")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("placement_options={bad", "placement_options is not valid JSON"),
        ("placement_options=[1,2]", "placement_options must be a JSON object"),
        ("admin=maybe", "admin must be 1 or 0"),
        ("first_run=2", "first_run must be 1 or 0"),
        ("install=yes-ish", "install must be 1 or 0"),
        ("user=abc", "user must be a whole number"),
        ("user=0", "user must be between 1"),
        ("expires=-5", "expires must be between 1"),
        ("frame=sideways", "frame must be one of cross, same"),
        ("lang=english", "lang must be a two-letter language id"),
        ("placement=CRM DEAL", "placement must be a code"),
        ("deny=set Title", "deny lists an invalid command name"),
        ("hold=a;b", "hold lists an invalid command name"),
        ("app=index.html", "app must be a path on the app origin"),
        ("app=//evil.example/x", "app must be a path"),
        ("app=javascript:alert(1)", "app must be a path on the app origin"),
        ("admn=0", "unknown knob 'admn'"),
        ("admin=1&admin=0", "knob 'admin' is given more than once"),
        ("install_finished=maybe", "install_finished must be one of Y, N"),
    ],
)
def test_invalid_knobs_raise_a_clear_value_error(query, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        parse_scenario(query)


def test_scenario_error_is_a_value_error():
    assert issubclass(ScenarioError, ValueError)
