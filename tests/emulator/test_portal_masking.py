"""Credentials never reach the server log and show only a prefix in the inspector."""

import re

import pytest

from portal_emulator.masking import mask_rule, mask_secrets

TOKEN = "9b00c0ffee1234567890abcdef"


@pytest.mark.parametrize(
    ("text", "inspector", "log"),
    [
        (f"auth={TOKEN}&id=42", "auth=9b00…&id=42", "auth=…&id=42"),
        (f"GET /x?access_token={TOKEN} HTTP/1.1", "GET /x?access_token=9b00… HTTP/1.1",
         "GET /x?access_token=… HTTP/1.1"),
        (f'{{"AUTH_ID":"{TOKEN}","LANG":"en"}}', '{"AUTH_ID":"9b00…","LANG":"en"}',
         '{"AUTH_ID":"…","LANG":"en"}'),
        (f"cmd%5Ba%5D=x&auth%3D{TOKEN}", "cmd%5Ba%5D=x&auth%3D9b00…", "cmd%5Ba%5D=x&auth%3D…"),
        ("code=secret-oauth-code&state=1", "code=secr…&state=1", "code=…&state=1"),
        ("id=42&title=authority", "id=42&title=authority", "id=42&title=authority"),
    ],
)  # fmt: skip
def test_mask_secrets(text, inspector, log):
    assert mask_secrets(text) == inspector
    assert mask_secrets(text, keep=0) == log
    assert TOKEN not in mask_secrets(text, keep=0)


def test_the_page_gets_the_rule_itself():
    """The portal page applies these RegExp sources in order (tests/e2e/test_devserver.py
    proves it masks exactly what mask_secrets masks); here: they are the same patterns."""
    rule = mask_rule()
    assert rule["keep"] == 4
    text = f'{{"AUTH_ID":"{TOKEN}"}}&auth={TOKEN}&AUTH={TOKEN}'
    for pattern in rule["patterns"]:
        flags = re.I if "i" in pattern["flags"] else 0
        text = re.sub(pattern["source"], pattern["replace"].replace("$", "\\"), text, flags=flags)
    assert text == mask_secrets(f'{{"AUTH_ID":"{TOKEN}"}}&auth={TOKEN}&AUTH={TOKEN}')
