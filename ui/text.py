"""Data strings inside Streamlit Markdown (``st.markdown``, ``st.caption``, ``st.error``, ...) as literal text.

Streamlit renders those strings as Markdown even without ``unsafe_allow_html``: a source name,
a column name or a URL parameter such as ``![x](http://host/pixel.png)`` would make every
viewer's browser fetch that URL, ``[click](...)`` would become a link, ``:red[...]``, ``$...$``
and ``**`` would restyle the page. :func:`md` escapes every Markdown-active character so the
value shows exactly as written. HTML escaping for the map lives in ``layers.base.text``.
"""

from __future__ import annotations

import re

# CommonMark lets any ASCII punctuation be backslash-escaped. Escaped here: what opens links and
# images ([ ]), autolinks and HTML (< >), code, emphasis, strikethrough, tables, headings, maths
# and Streamlit's directives (:color[...] needs a '['). Plain '.', ',', ':', "'" and '()' stay as
# they are, so messages read (and compare) unchanged; newlines become spaces (no block syntax).
_ACTIVE = re.compile(r"([\\`*_\[\]<>#|~$])")
_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")


def md(value: object) -> str:
    """``value`` as Markdown that renders literally: no links, images, emphasis, directives or maths."""
    return _ACTIVE.sub(r"\\\1", _BREAKS.sub(" ", "" if value is None else str(value)))
