"""The app page's host as the portal meets it: Bitrix24 loads an app page into its frame with
a form POST (the tokens in the body; api-reference/widgets/_includes/widget_data.md), so a
host that answers only GET shows an error page where the app should be. ``pyb24 dev --page
URL`` and the pytest plugin both say so in the same words."""

from __future__ import annotations

import urllib.error
import urllib.request

# What a static host answers to a POST it will not serve: nginx and most CDNs 405,
# python -m http.server 501.
REFUSING = (405, 501)


def load_problem(url: str, status: int) -> str | None:
    """One line saying why the frame shows no app when ``url`` answered the portal's form POST
    with ``status``, and what to do; ``None`` when the page was served."""
    page = url.split("?")[0]
    if status in REFUSING:
        return (
            f"{page} answered {status} to the portal's form POST: Bitrix24 opens an app page "
            "with a POST (tokens in the body), so the host must serve the page for POST as for "
            "GET (nginx: error_page 405 =200 $uri;)"
        )
    if status >= 400:
        return f"{page} answered {status} to the portal's form POST: the frame shows no app"
    return None


def probe(url: str, timeout: float = 10.0) -> str | None:
    """POST a frame form to ``url`` as the portal would; the problem line, or ``None``."""
    request = urllib.request.Request(
        url,
        data=b"PLACEMENT=DEFAULT",
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - the user's URL
            return load_problem(url, answer.status)
    except urllib.error.HTTPError as exc:
        return load_problem(url, exc.code)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"cannot reach {url.split('?')[0]}: {reason}"
