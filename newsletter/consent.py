"""The consent sentence shown at signup, by form version; stored on each ConsentRecord.

Bump FORM_VERSION whenever CONSENT_TEXT changes: each consent record stores the
version it was given under, and old versions stay in CONSENT_TEXTS.
"""

FORM_VERSION = "signup-2026-11-v1"
CONSENT_TEXT = (
    "Send me the daily digest by email. I can unsubscribe with one click in any email, "
    "and my address is used for nothing else."
)
CONSENT_TEXTS = {FORM_VERSION: CONSENT_TEXT}
