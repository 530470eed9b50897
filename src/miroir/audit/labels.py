"""The audit log in words: each action, target and detail as a reader of the log says it.

Entries store stable codes (``wave.launch``, ``{"sent": 3}``) so that the hash chain and
searches never depend on the language; the page shows them through these labels. An
action without a label is shown as its code (``tests/audit/test_labels.py`` fails while
one recorded in the code lacks a label).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

ACTIONS: dict[str, Any] = {
    "2fa.disable": gettext_lazy("Two-factor authentication removed"),
    "2fa.enable": gettext_lazy("Two-factor authentication set up"),
    "2fa.recovery_code_used": gettext_lazy("Recovery code used"),
    "2fa.recovery_codes_renew": gettext_lazy("Recovery codes renewed"),
    "2fa.reset": gettext_lazy("Two-factor authentication reset"),
    "account.disable": gettext_lazy("Login disabled"),
    "account.enable": gettext_lazy("Login enabled again"),
    "api_token.create": gettext_lazy("API token created"),
    "api_token.revoke": gettext_lazy("API token revoked"),
    "instrument.create": gettext_lazy("Questionnaire created"),
    "instrument.duplicate": gettext_lazy("New version of a questionnaire"),
    "instrument.lock": gettext_lazy("Questionnaire locked"),
    "instrument.update": gettext_lazy("Questionnaire changed"),
    "item.create": gettext_lazy("Question added"),
    "item.delete": gettext_lazy("Question deleted"),
    "item.move": gettext_lazy("Question moved"),
    "item.update": gettext_lazy("Question changed"),
    "login": gettext_lazy("Logged in"),
    "login.failed": gettext_lazy("Failed login"),
    "login.locked": gettext_lazy("Login locked after failed attempts"),
    "login.sso_pending": gettext_lazy("Signed in through the provider, code asked"),
    "login.unlock": gettext_lazy("Login unlocked"),
    "login.code_request": gettext_lazy("Sign-in code asked for an unknown number"),
    "login.code_sent": gettext_lazy("Sign-in code sent by SMS"),
    "login.code_refused": gettext_lazy("Sign-in code refused: two-factor role"),
    "login.link_issue": gettext_lazy("Sign-in link handed out"),
    "login.link_revoke": gettext_lazy("Sign-in link revoked"),
    "session.revoke": gettext_lazy("Phone kept signed in signed out"),
    "voice_tablet.issue": gettext_lazy("Voice tablet set up"),
    "voice_tablet.revoke": gettext_lazy("Voice tablet revoked"),
    "mirror.create": gettext_lazy("Mirror added"),
    "moment.load": gettext_lazy("Journey moments loaded"),
    "moment.create": gettext_lazy("Journey moment added"),
    "moment.update": gettext_lazy("Journey moment changed"),
    "moment.pain_point": gettext_lazy("Moment marked as a pain point"),
    "moment.pain_point_clear": gettext_lazy("Pain point cleared"),
    "journey.load": gettext_lazy("Journey template loaded"),
    "journey.create": gettext_lazy("Journey created"),
    "journey.update": gettext_lazy("Journey changed"),
    "map_wave.create": gettext_lazy("Map wave created"),
    "map_wave.open": gettext_lazy("Map wave opened"),
    "map_wave.close": gettext_lazy("Map wave closed"),
    "map.publish": gettext_lazy("Satisfaction maps published"),
    "map.withdraw": gettext_lazy("Satisfaction maps withdrawn"),
    "org.import": gettext_lazy("Organisation imported"),
    "privacy.erase": gettext_lazy("Personal data erased"),
    "privacy.export": gettext_lazy("Personal data exported"),
    "privacy.member_erase": gettext_lazy("Collaborator's personal data erased"),
    "privacy.retention": gettext_lazy("Expired contact data deleted"),
    "privacy.view": gettext_lazy("Personal data looked up"),
    "report.send": gettext_lazy("Monthly PDF report sent"),
    "report.subscribe": gettext_lazy("Monthly PDF report set up"),
    "report.unsubscribe": gettext_lazy("Monthly PDF report stopped"),
    "results.publish": gettext_lazy("Results published to the team"),
    "results.withdraw": gettext_lazy("Published results withdrawn"),
    "role.grant": gettext_lazy("Role granted"),
    "role.revoke": gettext_lazy("Role revoked"),
    "tasks.failure_dismiss": gettext_lazy("Failed task marked as dealt with"),
    "tasks.failure_retry": gettext_lazy("Failed task run again"),
    "unit.create": gettext_lazy("Unit created"),
    "unit.move": gettext_lazy("Unit moved"),
    "voice.answer": gettext_lazy("Voice answered"),
    "voice.escalate": gettext_lazy("Overdue voice passed up"),
    "voice.hide": gettext_lazy("Voice hidden"),
    "voice.report_dismiss": gettext_lazy("Report on a voice dismissed"),
    "voice.restore": gettext_lazy("Voice shown again"),
    "pulse.create": gettext_lazy("Pulse created"),
    "pulse.message": gettext_lazy("Pulse's invitation message changed"),
    "pulse.pause": gettext_lazy("Pulse paused"),
    "pulse.resume": gettext_lazy("Pulse resumed"),
    "pulse.stop": gettext_lazy("Pulse stopped"),
    "pulse.update": gettext_lazy("Pulse changed"),
    "pulse.wave": gettext_lazy("Pulse's wave created"),
    "wave.close": gettext_lazy("Wave closed"),
    "wave.create": gettext_lazy("Wave created"),
    "wave.kiosk_issue": gettext_lazy("Kiosk link issued"),
    "wave.kiosk_revoke": gettext_lazy("Kiosk revoked"),
    "wave.launch": gettext_lazy("Wave launched"),
    "wave.links_export": gettext_lazy("Personal links downloaded"),
    "wave.message": gettext_lazy("Invitation message changed"),
    "wave.open": gettext_lazy("Wave opened"),
    "wave.purge": gettext_lazy("Wave's answers deleted"),
    "wave.remind": gettext_lazy("Reminders sent"),
    "wave.send": gettext_lazy("Invitations sent"),
    "wave.thresholds": gettext_lazy("Anonymity thresholds raised"),
    "wave.update": gettext_lazy("Wave changed"),
    "webhook.create": gettext_lazy("Webhook created"),
    "webhook.delete": gettext_lazy("Webhook deleted"),
    "webhook.disable": gettext_lazy("Webhook turned off after failed deliveries"),
    "webhook.rotate": gettext_lazy("Webhook secret replaced"),
    "webhook.test": gettext_lazy("Webhook test sent"),
    "webhook.update": gettext_lazy("Webhook changed"),
}

TARGETS: dict[str, Any] = {
    "api_token": gettext_lazy("API token"),
    "contact": gettext_lazy("Contact"),
    "instrument": gettext_lazy("Questionnaire"),
    "member": gettext_lazy("Collaborator"),
    "publication": gettext_lazy("Publication"),
    "pulse": pgettext_lazy("recurring waves", "Pulse"),
    "report_subscription": gettext_lazy("Monthly PDF report"),
    "unit": gettext_lazy("Unit"),
    "user": gettext_lazy("Login"),
    "voice": gettext_lazy("Voice"),
    "wave": gettext_lazy("Wave"),
    "webhook": gettext_lazy("Webhook"),
    "org": gettext_lazy("Organisation"),
}

DETAILS: dict[str, Any] = {
    "count": gettext_lazy("number"),
    "created": gettext_lazy("created"),
    "updated": gettext_lazy("updated"),
    "unchanged": gettext_lazy("unchanged"),
    "day": gettext_lazy("day of the month"),
    "direction": gettext_lazy("direction"),
    "active": gettext_lazy("active"),
    "events": gettext_lazy("events"),
    "email": gettext_lazy("e-mail address"),
    "expired": gettext_lazy("by its closing date"),
    "failed": gettext_lazy("failed"),
    "fields": gettext_lazy("fields"),
    "from": gettext_lazy("from"),
    "interactions": gettext_lazy("interactions"),
    "invitations": gettext_lazy("invitations"),
    "invited_digests": gettext_lazy("invited contacts"),
    "item": gettext_lazy("question"),
    "items": gettext_lazy("questions"),
    "languages": gettext_lazy("languages"),
    "left": gettext_lazy("attempts left"),
    "link": gettext_lazy("link"),
    "links": gettext_lazy("links"),
    "locked": gettext_lazy("locked"),
    "logins_created": gettext_lazy("logins created"),
    "members": gettext_lazy("collaborators"),
    "method": gettext_lazy("method"),
    "mirror": gettext_lazy("mirror"),
    "moment": gettext_lazy("moment"),
    "opted_out": gettext_lazy("opted out"),
    "outcome": gettext_lazy("outcome"),
    "partner_organisations": gettext_lazy("partner organisations"),
    "period": gettext_lazy("period"),
    "provider": gettext_lazy("sign-in provider"),
    "provider_mfa": gettext_lazy("second factor at the provider"),
    "purged": gettext_lazy("answers deleted"),
    "reason": gettext_lazy("reason"),
    "rank": gettext_lazy("wave number"),
    "refused": gettext_lazy("launch refused, to correct"),
    "report": gettext_lazy("report"),
    "responses": gettext_lazy("responses"),
    "responses_unlinked": gettext_lazy("responses unlinked"),
    "role": gettext_lazy("role"),
    "roles_granted": gettext_lazy("roles granted"),
    "roles_revoked": gettext_lazy("roles revoked"),
    "round": gettext_lazy("reminder round"),
    "scope_unit": gettext_lazy("unit of the token"),
    "sent": gettext_lazy("sent"),
    "sessions": gettext_lazy("sessions ended"),
    "recipients_skipped": gettext_lazy("recipients skipped"),
    "skipped": gettext_lazy("occurrences skipped"),
    "skipped_lines": gettext_lazy("lines skipped"),
    "slug": gettext_lazy("code"),
    "source": gettext_lazy("source"),
    "stage": gettext_lazy("step"),
    "status": gettext_lazy("status"),
    "task": gettext_lazy("task"),
    "to": gettext_lazy("to"),
    "unit": gettext_lazy("unit"),
    "units": gettext_lazy("units"),
    "unknown_account": gettext_lazy("unknown login"),
    "unreachable": gettext_lazy("unreachable"),
    "version": gettext_lazy("version"),
    "wave": gettext_lazy("wave"),
}


def action_label(action: str) -> str:
    """Return what an action code means, in the current language (the code if unknown)."""
    label = ACTIONS.get(action)
    return str(label) if label is not None else action


def target_label(target: str) -> str:
    """Return ``wave:12`` as "Wave no. 12" (other targets as they are)."""
    kind, _sep, ident = target.partition(":")
    label = TARGETS.get(kind)
    if label is None:
        return target
    if not ident:
        return str(label)
    return _("%(kind)s no. %(id)s") % {"kind": label, "id": ident}


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return number_format(value, force_grouping=True)
    if isinstance(value, Mapping):
        return ", ".join(f"{_key(key)} {_value(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value(item) for item in value)
    return str(value)


def _key(key: str) -> str:
    label = DETAILS.get(key)
    return str(label) if label is not None else key.replace("_", " ")


def details_text(details: Mapping[str, Any] | None) -> str:
    """Return an entry's details as one readable line: "sent: 3; failed: 0"."""
    if not details:
        return ""
    return _("; ").join(
        _("%(label)s: %(value)s") % {"label": _key(key), "value": _value(value)}
        for key, value in details.items()
    )
