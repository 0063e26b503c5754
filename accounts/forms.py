from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms

from .models import AgentProfile, User


class SignUpForm(auth_forms.BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["full_name", "email"]
        labels = {"full_name": "Your name", "email": "E-mail address"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        existing = User.objects.filter(email__iexact=email).first()
        if existing and not existing.has_usable_password():
            # Opened tickets as a guest: the account is claimed by proving the address, never
            # by typing it here — the view e-mails a link to set a password.
            raise forms.ValidationError("Claim your guest account by e-mail.", code="guest_account")
        if existing:
            raise forms.ValidationError(
                "An account with this e-mail address already exists. Sign in, or reset your "
                "password if you have forgotten it."
            )
        return email


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="E-mail address", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    def save(self, **kwargs):
        # Links in e-mail come from SITE_URL, never from the request's Host header, so a
        # forged Host cannot point a reset link at someone else's server.
        site = urlsplit(settings.SITE_URL)
        kwargs.update(domain_override=site.netloc, use_https=site.scheme == "https")
        return super().save(**kwargs)

    def get_users(self, email):
        """Active users with that address, including guests who never set a password: the
        e-mailed link is how a guest turns into a full account."""
        return (
            u
            for u in User.objects.filter(email__iexact=email, is_active=True)
            if (u.has_usable_password() or not u.last_login) and auth_forms._unicode_ci_compare(email, u.email)
        )


class AlertPreferencesForm(forms.ModelForm):
    class Meta:
        model = AgentProfile
        fields = AgentProfile.ALERT_FIELDS
