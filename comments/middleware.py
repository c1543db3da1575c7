from django.utils.cache import add_never_cache_headers, patch_cache_control

from comments.visitor import has_comment_cookies


class PrivateCommenterPagesMiddleware:
    """Keep pages personalised for a commenter out of every cache.

    A visitor with a comment awaiting moderation sees it on the article page,
    and a remembered commenter gets their email pre-filled. Such a response
    must not be served to anyone else, so the request is flagged
    (`request.reex_no_cache`, honoured by the page cache) and the response is
    sent `Cache-Control: private, no-store`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_comment_cookies(request):
            request.reex_no_cache = True
        response = self.get_response(request)
        if getattr(request, "reex_no_cache", False):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response
