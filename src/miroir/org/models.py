from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    COMPANY = "company", _("Company")
    REGION = "region", _("Region")
    AREA = "area", _("Area")
    SHOP = "shop", _("Shop")
    BRANCH = "branch", _("Branch")
    DEPARTMENT = "department", _("Department")
    TEAM = "team", _("Team")


class Unit(models.Model):
    """A node of the organisation tree.

    ``path`` holds the ids from the root down, e.g. ``/1/4/27/``, so that a whole
    subtree is one indexed prefix lookup (``path__startswith``) at any depth.
    """

    external_id = models.CharField(
        _("external id"), max_length=64, unique=True, null=True, blank=True
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=512, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [
            models.Index(
                fields=["path"], name="org_unit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="org_unit_name_not_blank"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        """Return the ids from the root down to this unit's parent."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]

    def is_within(self, other: Unit) -> bool:
        """Return whether this unit is ``other`` or lies in its subtree."""
        return self.path.startswith(other.path)


class PartnerKind(models.TextChoices):
    CONTRACTOR = "contractor", _("Contractor")
    SUPPLIER = "supplier", _("Supplier")
    AGENCY = "agency", _("Temporary work agency")


class PartnerOrganisation(models.Model):
    """The company a partner (or an agency worker) belongs to."""

    external_id = models.CharField(
        _("external id"), max_length=64, unique=True, null=True, blank=True
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PartnerKind.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")

    def __str__(self) -> str:
        return self.name


class ContractType(models.TextChoices):
    PERMANENT = "permanent", _("Permanent")
    FIXED_TERM = "fixed_term", _("Fixed-term")
    TEMPORARY = "temporary", _("Temporary (agency)")
    APPRENTICE = "apprentice", _("Apprentice")
    INTERN = "intern", _("Intern")
    PARTNER = "partner", _("Partner (contractor, supplier)")


class Proximity(models.TextChoices):
    CORE = "core", _("Core")
    REGULAR = "regular", _("Regular")
    OCCASIONAL = "occasional", _("Occasional")


class Lens(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    EMPLOYEE = "employee", _("Employee")
    MANAGEMENT = "management", _("Management")
    PARTNER = "partner", _("Partner")


class Member(models.Model):
    """A person of the organisation, of any contract, or a partner, attached to a unit."""

    external_id = models.CharField(
        _("external id"), max_length=64, unique=True, null=True, blank=True
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail address"), unique=True, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="members"
    )
    contract_type = models.CharField(
        _("contract type"), max_length=16, choices=ContractType.choices
    )
    partner_organisation = models.ForeignKey(
        PartnerOrganisation,
        verbose_name=_("partner organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    proximity = models.CharField(
        _("proximity"), max_length=16, choices=Proximity.choices, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            # A partner belongs to their own organisation and carries a proximity level;
            # nobody else carries one.
            models.CheckConstraint(
                condition=(
                    Q(contract_type="partner", partner_organisation__isnull=False)
                    & ~Q(proximity="")
                )
                | (~Q(contract_type="partner") & Q(proximity="")),
                name="org_member_partner_fields",
            ),
            models.CheckConstraint(
                condition=~Q(first_name="") & ~Q(last_name=""), name="org_member_name_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def lens(self) -> str:
        """Return the lens this member speaks through in employee-side waves."""
        return Lens.PARTNER if self.contract_type == ContractType.PARTNER else Lens.EMPLOYEE


class RoleKind(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    DIRECTION = "direction", _("Direction")
    MANAGER = "manager", _("Manager")


class Role(models.Model):
    """A role granted to a member; a manager role is for one unit and its subtree.

    Being an employee or a partner follows from the contract type, not from a role.
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("role"), max_length=16, choices=RoleKind.choices)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="roles",
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="manager", unit__isnull=False)
                    | (~Q(kind="manager") & Q(unit__isnull=True))
                ),
                name="org_role_unit_iff_manager",
            ),
            models.UniqueConstraint(
                fields=["member", "kind", "unit"], name="org_role_unique_per_unit"
            ),
            models.UniqueConstraint(
                fields=["member", "kind"],
                condition=Q(unit__isnull=True),
                name="org_role_unique_global",
            ),
        ]

    def __str__(self) -> str:
        if self.unit_id:
            return f"{self.get_kind_display()} — {self.unit}"
        return str(self.get_kind_display())
