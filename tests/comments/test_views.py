"""The public side: posting, what each visitor sees, and every way a post can be refused."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import html as lxml_html

from comments.models import Comment
from tests.comments.conftest import comment_data, post_comment
from tests.factories import make_article

XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'><svg onload=alert(3)>"


def comments_section(response):
    tree = lxml_html.fromstring(response.content)
    (section,) = tree.xpath('//section[@id="comments"]')
    return section


def approved(article, **extra):
    defaults = {"name": "Ben", "email": "ben@example.org", "body": "Approved words.", "status": "approved"}
    defaults.update(extra)
    return Comment.objects.create(article=article, **defaults)


@pytest.mark.django_db
def test_post_redirects_back_and_only_the_author_sees_it_awaiting(client, article):
    response = post_comment(client, article, body="My first comment.")
    assert (response.status_code, response["Location"]) == (302, f"{article.get_absolute_url()}#comments")
    mine = client.get(response["Location"])
    section = comments_section(mine)
    (item,) = section.xpath('.//li[contains(@class, "comment")]')
    assert "Your comment is awaiting moderation." in item.text_content()
    assert "My first comment." in item.text_content()
    assert section.xpath("string(.//h2)") == "0 Comments"
    assert "no-store" in mine["Cache-Control"] and "private" in mine["Cache-Control"]

    stranger = Client().get(article.get_absolute_url())
    assert "My first comment." not in stranger.content.decode()
    assert comments_section(stranger).xpath('.//li[contains(@class, "comment")]') == []


@pytest.mark.django_db
def test_counts_show_approved_comments_only(client, article):
    assert comments_section(client.get(article.get_absolute_url())).xpath("string(.//h2)") == "0 Comments"
    approved(article)
    Comment.objects.create(article=article, name="P", email="p@example.org", body="Pending.")
    Comment.objects.create(article=article, name="S", email="s@example.org", body="Spam.", status="spam")
    Comment.objects.create(article=article, name="R", email="r@example.org", body="Removed.", status="removed")
    assert comments_section(client.get(article.get_absolute_url())).xpath("string(.//h2)") == "1 Comment"
    for n in range(11):
        approved(article, body=f"More {n}.")
    section = comments_section(client.get(article.get_absolute_url()))
    assert section.xpath("string(.//h2)") == "12 Comments"
    assert len(section.xpath('.//li[contains(@class, "comment")]')) == 12


@pytest.mark.django_db
def test_comments_area_uses_one_query(client, article, rf):
    from django.template import RequestContext, Template

    parent = approved(article)
    approved(article, parent=parent, body="A reply.")
    request = rf.get("/")
    template = Template('{% include "comments/_comments.html" %}')
    with CaptureQueriesContext(connection) as queries:
        template.render(RequestContext(request, {"article": article}))
    assert len(queries) == 1


@pytest.mark.django_db
def test_invalid_input_keeps_every_entry_and_explains_each_field(client, article):
    response = post_comment(
        client, article, name="", email="not-an-email", url="javascript:alert(1)", body="Kept text, line 1\nline 2"
    )
    assert response.status_code == 400
    tree = lxml_html.fromstring(response.content)
    assert tree.xpath('string(//input[@name="email"]/@value)') == "not-an-email"
    assert tree.xpath('string(//input[@name="url"]/@value)') == "javascript:alert(1)"
    assert tree.xpath('string(//textarea[@name="body"])').strip() == "Kept text, line 1\nline 2"
    errors = {e.get("id"): e.text_content().strip() for e in tree.xpath('//*[starts-with(@id, "error_")]')}
    assert errors == {
        "error_1_id_name": "This field is required.",
        "error_1_id_email": "Enter a valid email address.",
        "error_1_id_url": "Enter a web address such as https://example.org.",
    }
    assert Comment.objects.count() == 0


@pytest.mark.django_db
def test_header_injection_in_name_is_a_form_error(client, article):
    response = post_comment(client, article, name="Eve\r\nBcc: victim@example.org")
    assert response.status_code == 400
    assert "Your name must be on one line." in response.content.decode()
    assert Comment.objects.count() == 0


@pytest.mark.django_db
def test_post_without_csrf_token_is_refused(article):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("comments:post", args=[article.pk]), comment_data(article))
    assert response.status_code == 403
    assert Comment.objects.count() == 0


@pytest.mark.django_db
def test_post_with_csrf_token_from_the_page_is_accepted(article):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("comments:reply", args=[approved(article).pk]))  # a page that is never cached
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("comments:post", args=[article.pk]), {**comment_data(article), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert Comment.objects.count() == 2


@pytest.mark.django_db
def test_xss_payload_in_every_field_is_inert(client, article):
    data = {"name": XSS[:80], "email": "xss@example.org", "url": "https://ok.example/?q=<b>", "body": XSS}
    Comment.objects.create(article=article, status="approved", **data)
    staff = approved(article, name=XSS[:80], body=XSS, is_staff_reply=True, email="x2@example.org")
    response = client.get(article.get_absolute_url())
    section = comments_section(response)
    assert section.xpath(".//script[not(@src)]") == []
    assert section.xpath(".//img|.//svg") == []
    assert section.xpath(".//*[@onerror or @onload]") == []
    text = section.text_content()
    assert "<script>alert(1)</script>" in text and "<svg onload=alert(3)>" in text
    (link,) = section.xpath('.//a[contains(@href, "ok.example")]')
    assert link.get("href") == "https://ok.example/?q=<b>"  # attribute value, escaped in the source
    assert link.get("rel") == "nofollow ugc noopener"
    assert staff.pk


@pytest.mark.django_db
def test_xss_payload_posted_through_the_form_is_inert_for_its_author(client, article):
    post_comment(client, article, name=XSS[:80], body=XSS + "\njavascript:alert(4) www.ok.example")
    section = comments_section(client.get(article.get_absolute_url()))
    assert section.xpath(".//script[not(@src)]|.//img|.//svg|.//*[@onerror or @onload]") == []
    hrefs = [a.get("href") for a in section.xpath('.//div[@class="comment-content"]//a')]
    assert hrefs == ["https://www.ok.example"]


@pytest.mark.django_db
def test_display_keeps_line_breaks_and_links_urls(client, article):
    approved(article, body="First line\nsecond line\n\nNew paragraph: see https://example.org/paper.pdf.")
    content = comments_section(client.get(article.get_absolute_url())).xpath('.//div[@class="comment-content"]')[0]
    assert lxml_html.tostring(content, encoding="unicode", with_tail=False) == (
        '<div class="comment-content"><p>First line<br>second line</p>\n\n'
        '<p>New paragraph: see <a href="https://example.org/paper.pdf" rel="nofollow ugc noopener">'
        "https://example.org/paper.pdf</a>.</p></div>"
    )


@pytest.mark.django_db
def test_commenter_email_never_appears_on_the_page(client, article):
    approved(article, email="secret-address@example.org", url="https://ben.example")
    body = client.get(article.get_absolute_url()).content.decode()
    assert "secret-address" not in body


@pytest.mark.django_db
def test_remember_me_prefills_the_form_for_that_browser_only(client, article):
    post_comment(client, article, remember="on", url="https://ada.example")
    tree = lxml_html.fromstring(client.get(article.get_absolute_url()).content)
    assert tree.xpath('string(//input[@name="email"]/@value)') == "ada@example.org"
    assert tree.xpath('string(//input[@name="url"]/@value)') == "https://ada.example"
    assert tree.xpath('//input[@name="remember"]/@checked') == ["checked"]
    assert "ada@example.org" not in Client().get(article.get_absolute_url()).content.decode()
    # Unticking it forgets them.
    post_comment(client, article, body="Another one.")
    tree = lxml_html.fromstring(client.get(article.get_absolute_url()).content)
    assert tree.xpath('string(//input[@name="email"]/@value)') == ""


@pytest.mark.django_db
def test_comments_closed_by_the_editor(client):
    article = make_article(allow_comments=False)
    approved(article, body="Said before closing.")
    section = comments_section(client.get(article.get_absolute_url()))
    assert section.xpath("string(.//p[contains(@class, 'comments-closed')])") == "Comments are closed."
    # No comment form and no Reply; what was said can still be reported (abuse outlives the discussion).
    assert [form.get("class") for form in section.xpath(".//form")] == ["comment-report-form"]
    assert section.xpath('.//a[contains(@class, "comment-reply-link")]') == []
    assert "Said before closing." in section.text_content()
    response = post_comment(client, article, body="Too late, but keep my words.")
    assert response.status_code == 403
    assert "Too late, but keep my words.</textarea>" in response.content.decode()
    assert Comment.objects.filter(body__startswith="Too late").count() == 0


@pytest.mark.django_db
def test_comments_close_after_the_configured_days(client, settings):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 14
    old = make_article(published_at=timezone.now() - timedelta(days=14, minutes=1))
    recent = make_article(published_at=timezone.now() - timedelta(days=13, hours=23))
    assert post_comment(client, old).status_code == 403
    assert post_comment(client, recent).status_code == 302
    assert list(Comment.objects.values_list("article_id", flat=True)) == [recent.pk]
    settings.COMMENTS_CLOSE_AFTER_DAYS = 0  # never
    assert post_comment(client, old, body="Now open.").status_code == 302


@pytest.mark.django_db
def test_unpublished_article_takes_no_comments(client):
    draft = make_article(status="draft")
    assert post_comment(client, draft).status_code == 404
    assert Comment.objects.count() == 0


@pytest.mark.django_db
def test_replies_thread_three_levels_deep(client, article):
    top = approved(article, body="Top.")
    post_comment(client, article, parent=str(top.pk), body="Level one.")
    one = Comment.objects.get(body="Level one.")
    assert one.parent == top
    one.status = "approved"
    one.save()
    two = approved(article, parent=one, body="Level two.")
    approved(article, parent=two, body="Level three.")
    approved(article, body="Second top.")
    section = comments_section(client.get(article.get_absolute_url()))
    items = [
        (li.xpath('string(.//div[@class="comment-content"])').strip(), li.get("class").split()[1])
        for li in section.xpath('.//li[contains(@class, "comment ")]')
    ]
    assert items == [
        ("Top.", "comment-depth-0"),
        ("Level one.", "comment-depth-1"),
        ("Level two.", "comment-depth-2"),
        ("Level three.", "comment-depth-3"),
        ("Second top.", "comment-depth-0"),
    ]
    reply_links = section.xpath('.//a[contains(@class, "comment-reply-link")]/@href')
    assert reply_links[0] == reverse("comments:reply", args=[top.pk])


@pytest.mark.django_db
def test_reply_page_works_without_javascript(client, article):
    top = approved(article, name="Ben", body="Top.")
    response = client.get(reverse("comments:reply", args=[top.pk]))
    tree = lxml_html.fromstring(response.content)
    assert tree.xpath('string(//input[@name="parent"]/@value)') == str(top.pk)
    assert "Replying to" in tree.xpath('string(//p[contains(@class, "comment-replying-to")])')


@pytest.mark.django_db
def test_cannot_reply_to_a_pending_comment_or_one_on_another_article(client, article):
    pending = Comment.objects.create(article=article, name="P", email="p@example.org", body="Pending.")
    elsewhere = approved(make_article(), body="Elsewhere.")
    for parent in (pending, elsewhere):
        response = post_comment(client, article, parent=str(parent.pk), body=f"Reply to {parent.pk}")
        assert response.status_code == 400
        assert "no longer available" in response.content.decode()
    assert client.get(reverse("comments:reply", args=[pending.pk])).status_code == 404
    assert Comment.objects.filter(body__startswith="Reply to").count() == 0


@pytest.mark.django_db
def test_identical_repeat_is_refused(client, article):
    assert post_comment(client, article, body="Same words.").status_code == 302
    response = post_comment(client, article, body="Same words.")
    assert response.status_code == 400
    assert "You have already posted this comment here." in response.content.decode()
    assert Comment.objects.filter(body="Same words.").count() == 1
    # Someone else may say the same thing.
    assert post_comment(client, article, body="Same words.", email="other@example.org").status_code == 302


@pytest.mark.django_db
def test_throttle_per_ip_answers_429_and_keeps_the_text(client, article, settings):
    settings.COMMENTS_THROTTLE_PER_IP = 2
    settings.COMMENTS_THROTTLE_PER_EMAIL = 100
    for n in range(2):
        assert post_comment(client, article, email=f"p{n}@example.org", body=f"Post {n}").status_code == 302
    response = post_comment(client, article, email="p9@example.org", body="Please keep this text.")
    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.COMMENTS_THROTTLE_WINDOW_SECONDS)
    assert "Please keep this text.</textarea>" in response.content.decode()
    assert "Please wait a few minutes" in response.content.decode()
    assert Comment.objects.count() == 2
    # Another address is not affected.
    assert post_comment(client, article, email="p8@example.org", remote_addr="203.0.113.99").status_code == 302


@pytest.mark.django_db
def test_throttle_per_email_across_addresses(client, article, settings):
    settings.COMMENTS_THROTTLE_PER_EMAIL = 2
    for n in range(2):
        assert post_comment(client, article, remote_addr=f"203.0.113.{n}", body=f"Post {n}").status_code == 302
    assert post_comment(client, article, remote_addr="203.0.113.50", body="Third").status_code == 429
    assert Comment.objects.count() == 2


@pytest.mark.django_db
def test_throttle_uses_the_real_client_ip_behind_a_proxy(client, article, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.COMMENTS_THROTTLE_PER_IP = 1
    settings.COMMENTS_THROTTLE_PER_EMAIL = 100
    url = reverse("comments:post", args=[article.pk])
    first = client.post(url, comment_data(article, email="a@example.org"), HTTP_X_FORWARDED_FOR="198.51.100.1")
    spoofed = client.post(
        url, comment_data(article, email="b@example.org"), HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1"
    )
    other = client.post(url, comment_data(article, email="c@example.org"), HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert [first.status_code, spoofed.status_code, other.status_code] == [302, 429, 302]
    assert sorted(Comment.objects.values_list("ip_address", flat=True)) == ["198.51.100.1", "198.51.100.2"]


@pytest.mark.django_db
def test_get_on_the_post_url_is_refused(client, article):
    assert client.get(reverse("comments:post", args=[article.pk])).status_code == 405


@pytest.mark.django_db
def test_page_cache_never_shares_a_pending_comment_and_forgets_on_approval(client, article, settings):
    from comments.services import comment_approve
    from tests.factories import make_user

    settings.PAGE_CACHE_ENABLED = True
    stranger = Client()
    assert stranger.get(article.get_absolute_url())["X-Page-Cache"] == "miss"
    assert stranger.get(article.get_absolute_url())["X-Page-Cache"] == "hit"

    post_comment(client, article, body="Pending words.")
    mine = client.get(article.get_absolute_url())
    assert mine["X-Page-Cache"] == "bypass"
    assert "Pending words." in mine.content.decode()
    shared = stranger.get(article.get_absolute_url())
    assert (shared["X-Page-Cache"], "Pending words." in shared.content.decode()) == ("hit", False)

    comment_approve(comment=Comment.objects.get(body="Pending words."), by=make_user(is_staff=True))
    after = stranger.get(article.get_absolute_url())
    assert (after["X-Page-Cache"], "Pending words." in after.content.decode()) == ("miss", True)
    assert comments_section(after).xpath("string(.//h2)") == "1 Comment"


@pytest.mark.django_db
def test_the_page_carries_no_per_visitor_part_and_the_token_endpoint_gives_fresh_ones(client, article):
    from comments.forms import blank_form_html
    from comments.moderation import form_age_seconds

    first = client.get(article.get_absolute_url())
    second = Client().get(article.get_absolute_url())
    for response in (first, second):
        tree = lxml_html.fromstring(response.content)
        (ts,) = tree.xpath('//form[@class="comment-form"]//input[@name="ts"]')
        (csrf,) = tree.xpath('//form[@class="comment-form"]//input[@name="csrfmiddlewaretoken"]')
        assert (ts.get("value", ""), csrf.get("value")) == ("", "")
    assert blank_form_html() in first.content.decode()  # the once-rendered fields, not a fresh crispy render

    token = client.get(reverse("comments:form_token"))
    assert token.status_code == 200
    assert "no-store" in token["Cache-Control"]
    data = token.json()
    assert sorted(data) == ["csrf", "ts"]
    assert 0 <= form_age_seconds(data["ts"]) < 5
    assert form_age_seconds("forged") is None
