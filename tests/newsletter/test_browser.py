"""A visitor subscribes in a real browser; the emails arrive at the loopback SMTP server."""

import re

import pytest
from django.conf import settings

from newsletter import services
from newsletter.models import ConsentRecord, Subscriber
from tests.factories import make_article, make_subscriber

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link_in(message, pattern, live_server):
    text = message.get_body(("plain",)).get_content()
    url = re.search(rf"{re.escape(settings.SITE_URL)}{pattern}", text).group(0)
    return url.replace(settings.SITE_URL, live_server.url)


def test_visitor_subscribes_confirms_and_is_welcomed(live_server, page, smtp_server, artifacts_dir):
    make_article(title="Rare earth refining capacity, mapped", standfirst="Where the midstream bottleneck sits.")
    page.goto(f"{live_server.url}/")
    box = page.locator(".newsletter-box")
    box.scroll_into_view_if_needed()
    assert "Straight Into Your Inbox" in box.text_content()
    box.screenshot(path=str(artifacts_dir / "newsletter-sidebar-box.png"))
    page.locator(".site-footer").screenshot(path=str(artifacts_dir / "newsletter-footer.png"))

    box.get_by_placeholder("Your email address").fill("  Visitor@Example.org ")
    box.get_by_placeholder("Your name (optional)").fill("Vera")
    box.get_by_role("button", name="Subscribe").click()
    # Reader pages are cacheable: static/js/site.js fetches this visitor's CSRF token just before sending.
    page.wait_for_url(f"{live_server.url}/newsletter/thanks/")
    assert page.get_by_role("heading", level=1).inner_text() == "Fantastic! Thanks for subscribing"
    page.screenshot(path=str(artifacts_dir / "newsletter-thanks.png"), full_page=True)

    assert smtp_server.recipients() == ["visitor@example.org"]
    confirmation = smtp_server.messages[0]
    confirm_url = link_in(confirmation, r"/newsletter/confirm/[^\s/]+/", live_server)
    email_page = page.context.new_page()
    email_page.set_viewport_size({"width": 700, "height": 900})
    email_page.set_content(confirmation.get_body(("html",)).get_content())
    email_page.screenshot(path=str(artifacts_dir / "newsletter-email-confirmation.png"), full_page=True)

    page.goto(confirm_url)
    assert Subscriber.objects.get().status == "pending"  # opening the link changed nothing
    page.screenshot(path=str(artifacts_dir / "newsletter-confirm.png"), full_page=True)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Subscription confirmed").wait_for()

    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.name, subscriber.status, subscriber.source) == (
        "visitor@example.org",
        "Vera",
        "confirmed",
        "sidebar",
    )
    assert ConsentRecord.objects.get().source_page == "/"
    assert smtp_server.recipients() == ["visitor@example.org", "visitor@example.org"]
    welcome = smtp_server.messages[1]
    assert welcome["Subject"] == "Welcome to the Rare Earth Exchanges daily digest"
    email_page.set_content(welcome.get_body(("html",)).get_content())
    email_page.screenshot(path=str(artifacts_dir / "newsletter-email-welcome.png"), full_page=True)


def test_digest_email_and_signup_page_look(live_server, page, smtp_server, artifacts_dir):
    make_subscriber(email="reader@example.org", name="Reader")
    make_article(
        title="China's export controls and the magnet supply chain",
        standfirst="What a new paper finds about dysprosium and terbium flows.",
    )
    make_article(
        title="Ionic clay deposits outside Asia", standfirst="A survey of candidate deposits in Brazil and Africa."
    )
    digest = services.digest_build()
    digest.editor_note = "Two briefs today: export controls, and where else ionic clays may be mined."
    digest.save()
    services.digest_send(digest=digest)
    message = smtp_server.messages[0]
    page.set_viewport_size({"width": 700, "height": 900})
    page.set_content(message.get_body(("html",)).get_content())
    page.screenshot(path=str(artifacts_dir / "newsletter-email-digest.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/newsletter/")
    page.locator("#nl-page-email").fill("not-an-email")
    page.locator("main").get_by_role("button", name="Subscribe").click()
    assert "Please enter a valid email address" in page.locator(".invalid-feedback").inner_text()
    page.screenshot(path=str(artifacts_dir / "newsletter-signup-error.png"), full_page=True)


def test_editor_admin_pages_look(live_server, page, smtp_server, artifacts_dir, client):
    from tests.factories import make_user

    for i, status in enumerate(["confirmed"] * 5 + ["pending", "pending", "unsubscribed", "bounced"]):
        make_subscriber(email=f"person{i}@example.org", status=status, source=["sidebar", "footer", "page"][i % 3])
    smtp_server.refuse["person0@example.org"] = 550
    smtp_server.refuse["person1@example.org"] = 450
    make_article(title="Heavy rare earth separation at scale")
    services.digest_send(digest=services.digest_build())
    client.force_login(make_user(is_staff=True, is_superuser=True, email="editor@example.org"))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/admin/newsletter/digest/")
    assert page.locator("td.field-sent").first.inner_text() == "3"
    page.screenshot(path=str(artifacts_dir / "newsletter-admin-digests.png"), full_page=True)
    page.goto(f"{live_server.url}/admin/newsletter/subscriber/")
    page.screenshot(path=str(artifacts_dir / "newsletter-admin-subscribers.png"), full_page=True)
