"""Recognise the web application firewall's rejection page and read what it says.

The portal's firewall answers a refused request with an HTML page ("Request Rejected", "The
requested URL was rejected … Your support ID is …"), sometimes with status 200. Any HTML answer to
an API call is therefore treated as a block; this module only extracts the page's title and
support ID so that the user can quote them.
"""

import re

from selectolax.lexbor import LexborHTMLParser

_SUPPORT_ID_RE = re.compile(r"support\s*id\s*(?:is|:)?\s*:?\s*([0-9A-Za-z-]+)", re.IGNORECASE)


def looks_like_html(content_type: str, body: bytes) -> bool:
    """Whether an answer is an HTML page rather than the JSON the API promises."""
    if "html" in (content_type or "").lower():
        return True
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<head", b"<body"))


def describe_block_page(body: bytes) -> tuple[str, str]:
    """The page's title (or first heading) and the firewall's support ID, each "" if absent."""
    tree = LexborHTMLParser(body.decode("utf-8", errors="replace"))
    title = ""
    for selector in ("title", "h1", "h2"):
        node = tree.css_first(selector)
        if node is not None and node.text(strip=True):
            title = " ".join(node.text(strip=True).split())
            break
    text = tree.body.text(separator=" ") if tree.body is not None else tree.text(separator=" ")
    match = _SUPPORT_ID_RE.search(" ".join(text.split()))
    return title, match.group(1) if match else ""
