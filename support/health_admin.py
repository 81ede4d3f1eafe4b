"""Staff site: staff publish and edit incidents (with their updates inline) and planned maintenance windows
(SPEC support/ "Service health"). These rows belong to no organization, so the Django admin's change log
records who published what."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from support.health_catalog import COMPONENT_CHOICES, SERVICE_CHOICES
from support.models_health import Incident, IncidentUpdate, Maintenance


class IncidentUpdateInline(admin.StackedInline):
    model = IncidentUpdate
    extra = 1
    fields = ("posted_at", "status", "message")


class IncidentForm(forms.ModelForm):
    component = forms.ChoiceField(label=_("Component"), choices=COMPONENT_CHOICES,
                                  help_text=_("A component of the chosen service (checked when you save)."))

    class Meta:
        model = Incident
        fields = ("service", "component", "title", "classification", "status", "started_at", "ended_at")


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    form = IncidentForm
    inlines = [IncidentUpdateInline]
    list_display = ("title", "service", "component", "classification", "status", "started_at", "ended_at")
    list_filter = ("service", "classification", "status")
    search_fields = ("title",)
    date_hierarchy = "started_at"


class MaintenanceForm(forms.ModelForm):
    services = forms.MultipleChoiceField(label=_("Services"), choices=SERVICE_CHOICES,
                                         widget=forms.CheckboxSelectMultiple,
                                         help_text=_("Organizations subscribing to one of these services see it."))

    class Meta:
        model = Maintenance
        fields = ("title", "services", "description", "starts_at", "ends_at", "status")


@admin.register(Maintenance)
class MaintenanceAdmin(admin.ModelAdmin):
    form = MaintenanceForm
    list_display = ("title", "starts_at", "ends_at", "status")
    list_filter = ("status",)
    search_fields = ("title",)
    date_hierarchy = "starts_at"
