"""Cost of the comment form on a cold article render: crispy every time, or the blank form rendered once.

    .venv/bin/python bench/comment_form.py

No database: the blank form has no article-specific or visitor-specific part
(comments.forms.blank_form_html). Reports the median of --repeat renders of
each, in milliseconds, and writes bench/results/comment_form.json.
"""

import argparse
import json
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reex.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")


def median_ms(func, repeat: int) -> float:
    func()  # warm up (template loading, and the once-only render)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()

    import django

    django.setup()
    from crispy_forms.utils import render_crispy_form

    from comments.forms import CommentForm, blank_form_html

    crispy = median_ms(lambda: render_crispy_form(CommentForm(article=None)), args.repeat)
    once = median_ms(blank_form_html, args.repeat)
    result = {"crispy_render_ms": round(crispy, 3), "rendered_once_ms": round(once, 4), "repeat": args.repeat}
    print(json.dumps(result))
    (ROOT / "bench" / "results" / "comment_form.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
