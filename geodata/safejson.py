"""JSON that stays data inside a template's <script>: the one way untrusted text is inlined into a map."""

from __future__ import annotations

import json
from collections.abc import Mapping

# Characters a JSON string may not show as themselves inside a <script> of a branca template: `<`, `>`, `&`
# could close the script or open a comment; `{`, `%`, `#` (and `}`) could form Jinja syntax. JavaScript
# reads the \\u escapes as the same characters.
_SCRIPT_UNSAFE = str.maketrans({c: f"\\u{ord(c):04x}" for c in "<>&{}%#'"})


def to_json_safe(value: object) -> str:
    """JSON for inlining into a template's <script>: no string in it can end the script or read as
    Jinja (`{{`, `{%`, `{#`), so untrusted text stays data through every render."""
    if isinstance(value, str):
        return json.dumps(value).translate(_SCRIPT_UNSAFE)
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{to_json_safe(str(k))}:{to_json_safe(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(to_json_safe(v) for v in value) + "]"
    return json.dumps(value)
