"""The widget stays small (issue 7: under 30 KB gzipped): every site that embeds it pays for
it on every first visit."""

import gzip
import re

from django.contrib.staticfiles import finders

LIMIT = 30 * 1024
# What a visitor's browser downloads for the widget: the script and its style sheet (the
# font is the workspace's shared one, cached across its pages).
PARTS = ("chat/widget.js", "chat/widget.css")


def _read(name: str) -> bytes:
    path = finders.find(name)
    assert path, name
    with open(path, "rb") as handle:
        return handle.read()


def test_widget_is_under_30_kb_gzipped():
    # given the script and the style sheet as served
    payload = b"".join(_read(name) for name in PARTS)
    # when gzipped as a server would
    size = len(gzip.compress(payload, compresslevel=6))
    # then they stay under the limit
    assert size < LIMIT, f"{size} bytes gzipped"


def test_widget_loads_no_framework_and_no_other_script():
    script = _read("chat/widget.js").decode()
    # one file: nothing imported, nothing else fetched as code
    assert not re.search(r"\bimport\s*\(|\brequire\s*\(|createElement\(\s*\"script\"", script)
    assert "attachShadow" in script  # the host page's CSS cannot reach it
