"""Read a page's form the way a browser would submit it unchanged, so a test can
change one field and post the rest as the user saw it (no browser needed).

Uses the standard library's HTML parser: the pages are our own templates, and a
parser that understands inputs, textareas and selects is all a test needs.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, action: str | None):
        super().__init__(convert_charrefs=True)
        self.action = action
        self.forms: list[dict[str, list[str]]] = []
        self._current: dict[str, list[str]] | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._option: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "get").lower() == "post":
            if a.get("action", "") in ("", self.action or ""):
                self._current = {}
                self.forms.append(self._current)
            return
        if self._current is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._current.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._current.setdefault(name, []).append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._current.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value")
            self._option = {"value": value, "text": ""}
            if "selected" in a and value is not None:
                self._current.setdefault(self._select, []).append(value)
                self._select_chosen = True
            if self._select_first is None and value is not None:
                self._select_first = value

    def handle_data(self, data):
        if self._textarea and self._current is not None:
            self._current[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "textarea":
            if self._textarea and self._current is not None:
                value = self._current[self._textarea][-1]
                # browsers drop the one newline that follows <textarea>
                if value.startswith("\r\n"):
                    value = value[2:]
                elif value.startswith("\n"):
                    value = value[1:]
                self._current[self._textarea][-1] = value
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self._current.setdefault(self._select, []).append(self._select_first)
            self._select = None


def form_values(html: str, action: str | None = None) -> dict[str, list[str] | str]:
    """The values the first POST form of ``html`` (whose ``action`` is ``action``,
    or empty: the page itself) would send if submitted as shown: one string per
    field, a list where a name repeats."""
    reader = _FormReader(action)
    reader.feed(html)
    if not reader.forms:
        raise AssertionError(f"no POST form with action {action!r} on the page")
    return {k: v[0] if len(v) == 1 else v for k, v in reader.forms[0].items()}
