from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.debug import sensitive_post_parameters

from .decorators import agent_required
from .forms import AlertPreferencesForm, LoginForm, PasswordResetForm, SignUpForm


@sensitive_post_parameters("password1", "password2")
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="accounts.backends.UserBackend")
        messages.success(request, "Welcome to Frontdesk — your account is ready.")
        return redirect("home")
    if form.has_error("email", code="guest_account"):
        send_password_link(request, form.data["email"])
        return render(request, "accounts/signup_claim_sent.html", {"email": form.data["email"]})
    return render(request, "accounts/signup.html", {"form": form})


def send_password_link(request, email: str) -> None:
    """E-mail the set-your-password link, exactly as "Forgot your password?" does."""
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(
            request=request,
            email_template_name=PasswordResetView.email_template_name,
            subject_template_name=PasswordResetView.subject_template_name,
        )


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "emails/password_reset/body.txt"
    subject_template_name = "emails/password_reset/subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


@agent_required
def alert_preferences(request):
    """Which alert e-mails an agent receives."""
    form = AlertPreferencesForm(request.POST or None, instance=request.user.agent_profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your alert preferences are saved.")
        return redirect("accounts:alerts")
    return render(request, "accounts/alerts.html", {"form": form})
