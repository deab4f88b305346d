from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy: no inline script or style, nothing from another host."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response


class LanguageMiddleware:
    """Activate the language the person chose (cookie or account), else French.

    Django's LocaleMiddleware would follow the browser's Accept-Language; the venue's
    language is French, and English is a choice made with the switcher in the footer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
        try:
            code = translation.get_supported_language_variant(code)
        except LookupError:
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", code)
        # The language comes from a cookie: caches must not serve one person's language to another.
        patch_vary_headers(response, ["Cookie"])
        return response
