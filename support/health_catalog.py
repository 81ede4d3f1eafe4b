"""The fixed map of services and their components shown on Service health (SPEC support/ "Service health").

A service is known by a short key; the plans of the catalog name it by the service plan's displayName
(billing Sku.service_plans, e.g. "Exchange Online"). The Portal is part of every subscription.
"""

from django.utils.translation import gettext_lazy as _

# key: (label, service plan displayNames that bring it, [(component key, label)])
SERVICES = {
    "exchange": (_("Email and calendar"), ("Exchange Online",),
                 [("provisioning", _("Provisioning")), ("access", _("Access")), ("delivery", _("Delivery"))]),
    "sharepoint": (_("Sites"), ("SharePoint Online",),
                   [("provisioning", _("Provisioning")), ("access", _("Access")), ("sharing", _("Sharing"))]),
    "lync": (_("IM and meetings"), ("Lync Online",),
             [("im", _("Instant messaging and presence")), ("meetings", _("Meetings and dial-in conferencing"))]),
    "office_web": (_("Office in the browser"), ("Office Web Apps",),
                   [("viewing", _("Viewing")), ("editing", _("Editing"))]),
    "office_apps": (_("Office apps"), ("Office Professional Plus",),
                    [("download", _("Download")), ("activation", _("Activation"))]),
    "portal": (_("Portal"), (), [("sign_in", _("Sign-in")), ("admin", _("Admin center"))]),
}
ALWAYS_SUBSCRIBED = ("portal",)

SERVICE_CHOICES = [(key, label) for key, (label, _plans, _components) in SERVICES.items()]
COMPONENT_CHOICES = sorted({(ckey, str(clabel)) for (_l, _p, comps) in SERVICES.values() for ckey, clabel in comps})


def service_label(key: str) -> str:
    return str(SERVICES[key][0]) if key in SERVICES else key


def component_label(service: str, component: str) -> str:
    for ckey, clabel in SERVICES.get(service, ("", (), []))[2]:
        if ckey == component:
            return str(clabel)
    return component


def components_of(service: str) -> list[str]:
    return [ckey for ckey, _label in SERVICES.get(service, ("", (), []))[2]]


def services_for_plan_names(plan_names) -> list[str]:
    """The service keys (in catalog order) brought by these service plan displayNames, plus the Portal."""
    names = set(plan_names)
    return [key for key, (_label, plans, _c) in SERVICES.items()
            if key in ALWAYS_SUBSCRIBED or names.intersection(plans)]
