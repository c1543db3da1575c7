"""The moderation rules, all in one place.

A new comment is judged once, when it arrives, in this order:

1. Spam (kept, hidden, reviewable in the queue): the honeypot field is filled,
   the form came back faster than a person can type, or any field matches a
   "Mark as spam" ModerationWord.
2. Held for an editor: the form carried no timing token (sent without
   JavaScript, so its speed could not be measured), two or more links in the
   text, or a "Hold" ModerationWord. This wins over rule 3.
3. Approved at once: a trusted commenter (COMMENTS_AUTO_APPROVE_KNOWN, on by
   default): the same name and email as a commenter who proved they control
   that email (comments.trust), posting from a browser holding that proof, and
   the email already has an approved comment.
4. Otherwise pending: nothing a visitor writes appears before an editor approves it.

The timing token is not in the page (a cached page would freeze it): the
browser fetches it from comments:form_token when the form is first seen or
focused, so the time trap measures the same thing on cached and fresh pages.

docs/comments.md explains these rules to editors; keep the two in step.
"""

import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from comments.models import Comment, ModerationWord

# A form older than this is refused with a request to reload the page.
FORM_MAX_AGE_SECONDS = 2 * 60 * 60
_TIMESTAMP_SALT = "comments.form-timestamp"
_LINK_RE = re.compile(r"(?:https?://|\bwww\.)", re.IGNORECASE)
HOLD_LINK_COUNT = 2


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str


def form_timestamp(*, at: float | None = None) -> str:
    """A signed "form shown at" value for the hidden field; `at` lets tests backdate it."""
    return signing.dumps(int(at if at is not None else time.time()), salt=_TIMESTAMP_SALT)


def form_age_seconds(token: str) -> float | None:
    """Seconds since the form was shown, or None if the token was tampered with."""
    try:
        shown_at = signing.loads(token, salt=_TIMESTAMP_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(shown_at, int):
        return None
    return time.time() - shown_at


def count_links(text: str) -> int:
    return len(_LINK_RE.findall(text))


def _matching_word(kind: str, haystacks: list[str]) -> str | None:
    text = "\n".join(h for h in haystacks if h)
    for word in ModerationWord.objects.filter(kind=kind).values_list("word", flat=True):
        word = word.strip()
        # Whole-word, case-insensitive: "cialis" must not catch "specialist".
        if word and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE):
            return word
    return None


HELD_WITHOUT_JS_REASON = "Held: sent without JavaScript (no form token), so its speed could not be checked."


def judge(
    *,
    name: str,
    email: str,
    url: str,
    body: str,
    ip_address: str | None,
    honeypot: str,
    form_age: float | None,
    trusted: bool = False,
) -> Verdict:
    """Decide the starting status of a new comment (see the module docstring for the order).

    `form_age` is None when the form carried no timing token; `trusted` says the
    poster proved control of `email` under this name (comments.trust decides it).
    """
    if honeypot:
        return Verdict(Comment.Status.SPAM, "Filled the hidden honeypot field.")
    if form_age is not None and form_age < settings.COMMENTS_MIN_SECONDS:
        return Verdict(Comment.Status.SPAM, f"Sent {form_age:.1f}s after the form was shown: too fast for a person.")
    fields = [name, email, url, body, ip_address or ""]
    if word := _matching_word(ModerationWord.Kind.BLOCK, fields):
        return Verdict(Comment.Status.SPAM, f"Matches the block list: {word!r}.")
    if form_age is None:
        return Verdict(Comment.Status.PENDING, HELD_WITHOUT_JS_REASON)
    links = count_links(body)
    if links >= HOLD_LINK_COUNT:
        return Verdict(Comment.Status.PENDING, f"Held: contains {links} links.")
    if word := _matching_word(ModerationWord.Kind.HOLD, fields):
        return Verdict(Comment.Status.PENDING, f"Held: matches the moderation list: {word!r}.")
    if (
        trusted
        and settings.COMMENTS_AUTO_APPROVE_KNOWN
        and Comment.objects.approved().filter(email__iexact=email).exists()
    ):
        return Verdict(Comment.Status.APPROVED, "Auto-approved: a trusted commenter (name, email and browser proven).")
    return Verdict(Comment.Status.PENDING, "")
