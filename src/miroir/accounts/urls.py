from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from miroir.accounts import signin_views, sso_views, views
from miroir.accounts.forms import PasswordSetupForm
from miroir.core.ratelimit import rate_limit

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_verify, name="login_verify"),
    path("login/sso/<slug:provider_key>/", sso_views.sso_start, name="sso_start"),
    path("login/sso/<slug:provider_key>/callback/", sso_views.sso_callback, name="sso_callback"),
    path("login/phone/", signin_views.login_phone, name="login_phone"),
    path("login/phone/code/", signin_views.login_phone_code, name="login_phone_code"),
    path("login/link/<str:token>/", signin_views.login_link, name="login_link"),
    path("sessions/<int:session_id>/end/", signin_views.session_end, name="session_end"),
    path(
        "members/<int:member_id>/sign-in-link/",
        signin_views.member_sign_in_link,
        name="member_sign_in_link",
    ),
    path(
        "sign-in-links/<int:link_id>/revoke/",
        signin_views.sign_in_link_revoke,
        name="sign_in_link_revoke",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/reset/",
        # Each request sends an e-mail: counted with the login attempts of the address.
        rate_limit("login", methods=("POST",))(
            auth_views.PasswordResetView.as_view(
                template_name="accounts/password_reset.html",
                form_class=PasswordSetupForm,
                email_template_name="accounts/password_reset-body.txt",
                html_email_template_name="accounts/password_reset-body.html",
                subject_template_name="accounts/password_reset-subject.txt",
                success_url=reverse_lazy("accounts:password_reset_done"),
            )
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path(
        "two-factor/recovery-codes/",
        views.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("security/", views.account_security_admin, name="security_admin"),
    path(
        "security/<int:user_id>/two-factor/reset/", views.two_factor_reset, name="two_factor_reset"
    ),
    path("security/<int:user_id>/unlock/", views.login_unlock, name="login_unlock"),
    path("security/<int:user_id>/disable/", views.account_disable, name="account_disable"),
    path("security/<int:user_id>/enable/", views.account_enable, name="account_enable"),
]
