"""`next=` values that must never send a visitor to another site."""

EVIL_NEXT = [
    "//evil.com",
    "//evil.com/path",
    "///evil.com",
    "https://evil.com",
    "http://evil.com/admin/",
    "https:evil.com",
    "http:evil.com",
    "/\\evil.com",
    "\\\\evil.com",
    "/\\/evil.com",
    "\\/evil.com",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "https://testserver.evil.com/",
    "https://evil.com@testserver/",
    "//testserver@evil.com",
    "\t//evil.com",
    "//evil.com\\@testserver",
    "ftp://evil.com",
]

SAFE_NEXT = ["/", "/admin/", "/search/?q=lithium&page=2", "/2026/11/some-article/#comments"]
