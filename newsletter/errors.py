"""The newsletter's one domain error."""


class NewsletterError(Exception):
    """A refusal that a person can act on ("this digest has no articles").

    Services raise it instead of ValueError or assert; views and the admin turn
    it into a message. Anything else that escapes a service is a bug.
    """
