from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from citehack.core.http import client_address

from . import services
from .forms import PasswordSignInForm, SignInLinkForm


def _safe_next(request, url):
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return url
    return ""


@require_http_methods(["GET", "POST"])
def sign_in(request):
    """Ask for a personal sign-in link by e-mail (participants have no password)."""
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    form = SignInLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_sign_in_link(
                email=form.cleaned_data["email"],
                address=client_address(request),
                request=request,
                next_url=next_url,
            )
        except services.RateLimited:
            form.add_error(None, _("Too many links were asked for. Please wait a while and try again."))
            return render(request, "accounts/sign_in.html", {"form": form, "next": next_url}, status=429)
        return render(request, "accounts/link_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "accounts/sign_in.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
def use_link(request, token):
    """Show a button on GET (mail scanners open links), sign in on POST."""
    if request.method == "GET":
        return render(request, "accounts/use_link.html", {"token": token})
    result = services.use_sign_in_link(token=token)
    if result is None:
        return render(request, "accounts/link_invalid.html", status=400)
    user, next_url = result
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("You are signed in."))
    return redirect(_safe_next(request, next_url) or "accounts:home")


class PasswordSignInView(auth_views.LoginView):
    template_name = "accounts/password_sign_in.html"
    authentication_form = PasswordSignInForm

    def post(self, request, *args, **kwargs):
        limit, window = settings.PASSWORD_SIGN_IN_RATE
        email = request.POST.get("username", "").strip().lower()
        keys = [f"password:ip:{client_address(request)}", f"password:email:{services.hash_token(email)}"]
        if any(services.hit_rate_limit(key, limit=limit, window=window) for key in keys):
            form = self.get_form()
            form.is_bound = False
            return self.render_to_response(
                {**self.get_context_data(form=form),
                 "rate_limited": _("Too many attempts. Please wait a while and try again.")},
                status=429,
            )
        return super().post(request, *args, **kwargs)


@require_POST
def sign_out(request):
    logout(request)
    return redirect("home")


@login_required
def home(request):
    """The person's own page: their events, registrations and roles."""
    from citehack.events.selectors import events_for_user

    return render(request, "accounts/home.html", {"memberships": events_for_user(request.user)})
