"""The administrators' page to import the organisation from CSV files."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from miroir.org.imports import max_file_bytes, org_import
from miroir.org.selectors import request_scope

# A file with thousands of bad lines would make an unreadable page; the count says the rest.
ERRORS_SHOWN = 500
CSV_INPUT = {"accept": ".csv,text/csv"}


class OrgImportForm(forms.Form):
    units_file = forms.FileField(
        label=_("Units file (CSV)"), required=False, widget=forms.FileInput(attrs=CSV_INPUT)
    )
    members_file = forms.FileField(
        label=_("Members file (CSV)"), required=False, widget=forms.FileInput(attrs=CSV_INPUT)
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: show what would change, write nothing"), required=False, initial=True
    )
    skip_invalid = forms.BooleanField(
        label=_("Skip invalid lines and import the others"), required=False
    )

    def _clean_upload(self, name: str) -> UploadedFile | None:
        upload = self.cleaned_data.get(name)
        if upload is not None and upload.size > max_file_bytes():
            raise ValidationError(
                _("This file is %(size)s; files up to %(limit)s are accepted."),
                code="too_large",
                params={
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(max_file_bytes()),
                },
            )
        return upload

    def clean_units_file(self) -> UploadedFile | None:
        return self._clean_upload("units_file")

    def clean_members_file(self) -> UploadedFile | None:
        return self._clean_upload("members_file")

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and not data.get("units_file") and not data.get("members_file"):
            raise ValidationError(_("Choose a units file, a members file, or both."))
        return data


@login_required
@require_http_methods(["GET", "POST"])
def org_import_view(request: HttpRequest) -> HttpResponse:
    if not request_scope(request).is_administrator:
        raise PermissionDenied
    posted = request.method == "POST"
    form = OrgImportForm(request.POST if posted else None, request.FILES if posted else None)
    report = None
    if posted and form.is_valid():
        report = org_import(
            units_file=form.cleaned_data["units_file"],
            members_file=form.cleaned_data["members_file"],
            dry_run=form.cleaned_data["dry_run"],
            skip_invalid=form.cleaned_data["skip_invalid"],
            actor=request.user,
        )
    context = {
        "form": form,
        "report": report,
        "errors_shown": report.errors[:ERRORS_SHOWN] if report else [],
        "max_size": max_file_bytes(),
        "nav_section": "import",
    }
    return render(request, "org/import.html", context)
