"""The benchmark's ceiling: the cheapest response Django can give through the full middleware stack.

Registered only when BENCH_CEILING is set (bench/run does), so production never has it.
"""

from django.http import HttpResponse

_BODY = b"ok\n"


def ceiling(request):
    return HttpResponse(_BODY, content_type="text/plain")
