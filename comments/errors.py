"""The comments app's one domain error type.

Services raise it (or a subclass) for a refusal a person can act on; its text
is written for them. Views show it on the page and the admin shows it as a
message, so nothing catches a bare ValueError or relies on `assert`.
"""


class CommentError(Exception):
    """A refusal with a message fit to show to the person who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DuplicateComment(CommentError):
    """The same person already posted exactly this text on this article."""

    def __init__(self, message: str = "You have already posted this comment here."):
        super().__init__(message)
