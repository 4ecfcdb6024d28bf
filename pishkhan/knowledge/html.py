"""Article bodies: authored as HTML (or plain text), stored sanitised.

Why HTML rather than plain text: help articles are instructions — numbered steps, headings,
DNS records and commands in code blocks, screenshots — which paragraphs alone render poorly.
The allow-list is small (no styles, no scripts, no iframes, no forms), and images may only
point at the article's own files, so an article can never load anything from elsewhere or
track its readers. An author who writes no tags at all gets paragraphs from blank lines."""

import html
import re

import nh3

TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "b",
    "em",
    "i",
    "code",
    "pre",
    "blockquote",
    "img",
}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt"}}
URL_SCHEMES = {"http", "https", "mailto"}
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!]")
_BLOCK_TAG = re.compile(r"<[^>]+>")


def looks_like_html(text: str) -> bool:
    return bool(_TAG.search(text or ""))


def from_plain_text(text: str) -> str:
    """Paragraphs at blank lines, line breaks within them; everything escaped."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n"))]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
        if p
    )


def sanitise(body: str, *, image_urls: set[str] = frozenset()) -> str:
    """The body to store. `image_urls` are the addresses of the article's own files; an image
    pointing anywhere else loses its source."""
    body = (body or "").strip()
    if not looks_like_html(body):
        body = from_plain_text(body)

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src":
            return value if value in image_urls else None
        return value

    return nh3.clean(
        body,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=keep,
        strip_comments=True,
    ).strip()


def plain_text(body: str) -> str:
    """The words of a (sanitised) body, for the search index and snippets."""
    text = _BLOCK_TAG.sub(" ", body or "")
    return re.sub(r"\s+", " ", html.unescape(text)).strip()
