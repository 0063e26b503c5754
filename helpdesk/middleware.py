"""Security headers that Django 5.2 does not set by itself."""

# Everything comes from this site: no inline scripts or styles (behaviour lives in static/js),
# images may be data: URIs (Bootstrap's icons), and no one may frame the pages.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # A view may set a stricter policy of its own (attachments do).
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
