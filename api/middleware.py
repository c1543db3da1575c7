"""CORS and HEAD for the Content API, and nothing else: it touches only paths under /api/.

Any origin may read the API (it is public content; keys travel in the query
string, never in cookies, so there are no credentials to protect). A preflight
(sent by browsers when a script adds If-None-Match, say) is answered here.
"""

from django.http import HttpResponse

API_PREFIX = "/api/"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Retry-After",
}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}


class ContentApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Allow"] = "GET, HEAD, OPTIONS"
            for name, value in {**CORS_HEADERS, **PREFLIGHT_HEADERS}.items():
                response[name] = value
            return response
        head = request.method == "HEAD"
        if head:
            # Answered as the GET it stands for, without the body (the API's views are declared for GET).
            request.method = "GET"
        response = self.get_response(request)
        if head:
            request.method = "HEAD"
            response.content = b""
        for name, value in CORS_HEADERS.items():
            response[name] = value
        return response
