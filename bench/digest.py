"""Send one digest to every confirmed subscriber through a loopback SMTP server; report rate and memory.

    .venv/bin/python bench/digest.py --subscribers 143000   # about 100,000 of them confirmed

Uses a database of its own (reex_bench_digest on BENCH_PG), seeded with seed_scale,
and the newsletter's real send path: digest_send() creates the deliveries, then
digest_send_batch() is called until nothing is left, exactly as the task workers
do (one SMTP connection per batch). The SMTP server (aiosmtpd) runs in its own
process and counts connections and messages; the sender's peak RSS is read from
the kernel, and its RSS is sampled as it goes to show that memory stays flat.
"""

import argparse
import json
import multiprocessing
import os
import resource
import secrets
import subprocess
import sys
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = "reex_bench_digest"


def smtp_sink(port_queue, counts):
    """A loopback SMTP server that keeps nothing but counts."""
    import asyncio

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    class Counting:
        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            counts["connections"] += 1
            session.host_name = hostname
            return responses

        async def handle_DATA(self, server, session, envelope):
            counts["messages"] += 1
            counts["recipients"] += len(envelope.rcpt_tos)
            counts["bytes"] += len(envelope.content or b"")
            return "250 OK"

    class Quiet(Controller):
        def factory(self):
            return SMTP(self.handler, hostname="127.0.0.1", ident="bench-sink")

    controller = Quiet(Counting(), hostname="127.0.0.1", port=0)
    # aiosmtpd checks readiness by connecting to the port: pick a free one first.
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        controller.port = probe.getsockname()[1]
    controller.start()
    port_queue.put(controller.port)
    asyncio.run(asyncio.sleep(10**9))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=143_000)
    parser.add_argument("--batch-size", type=int, default=0, help="default: NEWSLETTER_BATCH_SIZE")
    parser.add_argument("--json", help="write results to this file")
    parser.add_argument("--max-seconds", type=int, default=0, help="stop sending after this long (partial run)")
    args = parser.parse_args()

    conn = psycopg2.connect(f"{PG}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')
        cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    conn.close()
    env = {**os.environ, "DATABASE_URL": f"{PG}/{DATABASE}", "DEBUG": "true", "BENCH_TOOLS": "true"}
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["seed_scale", f"--database={DATABASE}", "--articles=50", "--comments=0", f"--subscribers={args.subscribers}"],
    ):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)

    manager = multiprocessing.Manager()
    counts = manager.dict(connections=0, messages=0, recipients=0, bytes=0)
    ports = multiprocessing.Queue()
    sink = multiprocessing.Process(target=smtp_sink, args=(ports, counts), daemon=True)
    sink.start()
    port = ports.get(timeout=30)

    os.environ.update(
        DATABASE_URL=f"{PG}/{DATABASE}",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        SITE_URL="https://news.example.com",
        LOG_LEVEL="WARNING",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reex.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.utils import timezone

    from articles.models import Article
    from newsletter.models import Delivery, Digest, DigestArticle, Subscriber
    from newsletter.services import digest_send, digest_send_batch

    confirmed = Subscriber.objects.confirmed().count()
    articles = list(Article.objects.published().order_by("-published_at")[:8])
    digest = Digest.objects.create(
        date=timezone.localdate(), subject="Bench digest", covers_until=articles[0].published_at
    )
    DigestArticle.objects.bulk_create(
        DigestArticle(digest=digest, article=a, position=i) for i, a in enumerate(articles)
    )

    batch_size = args.batch_size or settings.NEWSLETTER_BATCH_SIZE
    rss_start = rss_mb()
    started = time.monotonic()
    created = digest_send(digest=digest, enqueue=False)
    queued_at = time.monotonic()
    samples, batches = [], 0
    while True:
        result = digest_send_batch(digest_id=digest.pk, batch_size=batch_size)
        if not result.claimed:
            break
        batches += 1
        if args.max_seconds and time.monotonic() - queued_at > args.max_seconds:
            print(f"  stopping after {args.max_seconds}s as asked (--max-seconds)", flush=True)
            break
        if batches % 100 == 0:
            samples.append(round(rss_mb(), 1))
            done = counts["messages"]
            print(f"  {done:,}/{confirmed:,} sent, {done / (time.monotonic() - queued_at):,.0f}/s, "
                  f"RSS {samples[-1]} MB", flush=True)  # fmt: skip
    finished = time.monotonic()
    sent = Delivery.objects.filter(digest=digest, status=Delivery.Status.SENT).count()
    report = {
        "confirmed_subscribers": confirmed,
        "deliveries_created": created,
        "sent": sent,
        "smtp_messages": counts["messages"],
        "smtp_connections": counts["connections"],
        "batch_size": batch_size,
        "batches": batches,
        "queue_seconds": round(queued_at - started, 1),
        "send_seconds": round(finished - queued_at, 1),
        "messages_per_second": round(sent / (finished - queued_at), 1),
        "rss_start_mb": round(rss_start, 1),
        "rss_samples_mb": samples,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "mean_message_bytes": round(counts["bytes"] / max(1, counts["messages"])),
        "digest_status": Digest.objects.get(pk=digest.pk).status,
        "complete": sent == confirmed,
    }
    print(json.dumps(report, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    sink.terminate()


if __name__ == "__main__":
    main()
