from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )


class PasswordSignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    language = forms.ChoiceField(label=_("Language"), choices=[("fr", "Français"), ("en", "English")])
