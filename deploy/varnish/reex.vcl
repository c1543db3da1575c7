# Varnish 7 in front of Reex: reader pages served from memory, forgotten by tag (vmod_xkey) the moment
# they change. Debian: `apt-get install varnish varnish-modules`. See docs/architecture.md, "The edge".
#
#   varnishd -a :80 -f /etc/varnish/reex.vcl -s malloc,1G
#   App: EDGE_PURGE_VARNISH_URLS=http://<this varnish>:80/   (every app server, comma-separated for several)
vcl 4.1;

import std;
import xkey;

# The app is "sick" after 3 of 5 failed checks; Varnish then serves what it has (grace).
# Liveness only (/robots.txt needs no database or cache): /healthz also fails when just Redis is down,
# and the app still serves then. The app must accept "localhost" (ALLOWED_HOSTS); the probe says it came
# over HTTPS, as the TLS terminator in front of Varnish does for readers (SECURE_PROXY_SSL_HEADER).
probe reex_health {
    .request = "GET /robots.txt HTTP/1.1"
               "Host: localhost"
               "X-Forwarded-Proto: https"
               "Connection: close";
    .expected_response = 200;
    .interval = 2s;
    .timeout = 1s;
    .window = 5;
    .threshold = 3;
    .initial = 3;
}

# The one line an operator edits: where the app (gunicorn) listens.
backend default { .host = "127.0.0.1"; .port = "8000"; .probe = reex_health; .first_byte_timeout = 30s; }

# Who may purge: the app servers. Add their addresses here.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    # Purge by tag: `PURGE /` with `xkey-softpurge: tag1 tag2` (or `xkey-purge` for a hard purge).
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.xkey-softpurge) {
            set req.http.n-gone = xkey.softpurge(req.http.xkey-softpurge);
        } elsif (req.http.xkey-purge) {
            set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        } else {
            return (synth(400, "xkey-softpurge or xkey-purge header required"));
        }
        return (synth(200, "Purged " + req.http.n-gone));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);  # comments, signups, logins: always the app
    }
    # Staff and visitors whose page is their own (a session, a pending comment, flash messages,
    # a remembered commenter): the app decides, nothing is shared. Keep in step with
    # pagecache.bypass_cookie_names().
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages|reex_comments_pending|reex_commenter)=") {
        return (pass);
    }
    # Per-visitor answers that read the visitor's cookies (the CSRF token endpoint) and the admin.
    if (req.url ~ "^/csrf/" || req.url ~ "^/healthz") {
        return (pass);
    }
    # Any other cookie (CSRF, analytics) does not change a reader page: one copy for everyone.
    unset req.http.Cookie;
    # Query strings: tracking parameters dropped, the rest sorted, so one page is one object.
    if (req.url ~ "\?") {
        set req.url = regsuball(req.url, "(?<=[?&])(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|_ga)=[^&]*&?", "");
        set req.url = regsub(req.url, "[?&]+$", "");
        set req.url = std.querysort(req.url);
    }
    # Accept-Encoding: the app stores br, gzip and plain; anything else is plain.
    if (req.http.Accept-Encoding) {
        if (req.http.Accept-Encoding ~ "\bbr\b") {
            set req.http.Accept-Encoding = "br";
        } elsif (req.http.Accept-Encoding ~ "\bgzip\b") {
            set req.http.Accept-Encoding = "gzip";
        } else {
            unset req.http.Accept-Encoding;
        }
    }
    # While the app is healthy, an expired page is served for at most 10 s while it is refetched;
    # when it is sick, for as long as the page's stale-if-error allows (beresp.grace below).
    # A restart after an error (vcl_deliver) takes whatever stale copy there is.
    if (std.healthy(req.backend_hint) && !req.http.X-Reex-Stale) {
        set req.grace = 10s;
    }
    return (hash);
}

sub vcl_backend_response {
    # An error while refreshing a page in the background: keep serving the copy we have.
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }
    # Only what the app marks as shared (public with s-maxage) is kept; everything else is
    # private, no-store, sets a cookie, or is an error: never stored, never shared.
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control !~ "s-maxage=" ||
        beresp.http.Cache-Control ~ "(private|no-store)") {
        set beresp.uncacheable = true;
        set beresp.ttl = 0s;
        return (deliver);
    }
    # Keep the page past its lifetime for stale-if-error, to serve while the app is down.
    if (beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
        set beresp.grace = std.duration(regsub(beresp.http.Cache-Control, ".*stale-if-error=([0-9]+).*", "\1") + "s", 0s);
    }
    # Let Varnish compress nothing itself: the app already sends br/gzip per Accept-Encoding.
    set beresp.do_gzip = false;
    return (deliver);
}

sub vcl_backend_error {
    # Refreshing a stale page in the background failed: keep the stale page.
    if (bereq.is_bgfetch) {
        return (abandon);
    }
    # The app is down and nothing stale is left: a short, honest answer rather than Varnish's page.
    set beresp.http.Content-Type = "text/plain; charset=utf-8";
    set beresp.http.Retry-After = "30";
    set beresp.http.Cache-Control = "no-store";
    synthetic("The site is briefly unavailable. Please try again in a moment.");
    return (deliver);
}

sub vcl_deliver {
    # Tags are for this cache; readers do not need them.
    if (!req.http.X-Reex-Debug) {
        unset resp.http.xkey;
        unset resp.http.Surrogate-Key;
        unset resp.http.Cache-Tag;
    }
    # Browsers get the short lifetime only: the edge's s-maxage and stale-* are for shared caches.
    if (resp.http.Cache-Control ~ "s-maxage=") {
        set resp.http.Cache-Control = regsuball(resp.http.Cache-Control, ",\s*(s-maxage|stale-while-revalidate|stale-if-error)=[0-9]+", "");
        set resp.http.Cache-Control = resp.http.Cache-Control + ", must-revalidate";
    }
    if (obj.hits > 0) {
        set resp.http.X-Edge-Cache = "hit";
    } else {
        set resp.http.X-Edge-Cache = "miss";
    }
    # The app failed (down, or answering 5xx): try once more, taking any stale copy (stale-if-error).
    if (resp.status >= 500 && req.restarts == 0 && (req.method == "GET" || req.method == "HEAD")) {
        set req.http.X-Reex-Stale = "1";
        return (restart);
    }
}

sub vcl_synth {
    set resp.http.Cache-Control = "no-store";
}
