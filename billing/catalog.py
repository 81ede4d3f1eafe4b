"""The plans every install starts with (Graph skuIds and part numbers, so scripts written against
Graph find the same SKUs). The billing release replaces this with an editable catalog file."""

PLANS = [
    {
        "id": "6fd2c87f-b296-42f0-b197-1e91e994b900",
        "part_number": "ENTERPRISEPACK",
        "name": "Office 365 Enterprise E3",
        "max_seats": None,
        "is_small_business": False,
        "service_plans": [
            {"servicePlanId": "efb87545-963c-4e0d-99df-69c6916d9eb0", "servicePlanName": "EXCHANGE_S_ENTERPRISE", "displayName": "Exchange Online"},
            {"servicePlanId": "5dbe027f-2339-4123-9542-606e4d348a72", "servicePlanName": "SHAREPOINTENTERPRISE", "displayName": "SharePoint Online"},
            {"servicePlanId": "0feaeb32-d00e-4d66-bd5a-43b5b83db82c", "servicePlanName": "MCOSTANDARD", "displayName": "Lync Online"},
            {"servicePlanId": "e95bec33-7c88-4a70-8e19-b10bd9d0c014", "servicePlanName": "SHAREPOINTWAC", "displayName": "Office Web Apps"},
            {"servicePlanId": "43de0ff5-c92c-492b-9116-175376d08c38", "servicePlanName": "OFFICESUBSCRIPTION", "displayName": "Office Professional Plus"},
        ],
    },
    {
        "id": "bd09678e-b83c-4d3f-aaba-3dad4abd128b",
        "part_number": "LITEPACK",
        "name": "Office 365 Small Business (P1)",
        "max_seats": 25,
        "is_small_business": True,
        "service_plans": [
            {"servicePlanId": "d42bdbd6-c335-4231-ab3d-c8b348d5aff5", "servicePlanName": "EXCHANGE_L_STANDARD", "displayName": "Exchange Online"},
            {"servicePlanId": "a1f3d0a8-84c0-4ae0-bae4-685917b8ab48", "servicePlanName": "SHAREPOINTLITE", "displayName": "SharePoint Online"},
            {"servicePlanId": "70710b6b-3ab4-4a38-9f6d-9f169461650a", "servicePlanName": "MCOLITE", "displayName": "Lync Online"},
            {"servicePlanId": "e95bec33-7c88-4a70-8e19-b10bd9d0c014", "servicePlanName": "SHAREPOINTWAC", "displayName": "Office Web Apps"},
        ],
    },
]



def ensure_default_plans(sku_model) -> None:
    """Create or refresh the default plans; takes the model so migrations can pass their historical one."""
    for plan in PLANS:
        sku_model.objects.update_or_create(part_number=plan["part_number"], defaults=plan)


# SPEC users/ "Licenses" and the seed's "License restrictions": some services are not offered in some
# countries or regions. A user located there gets the plan with those service plans switched off.
# Keyed by servicePlanName; values are ISO 3166 country codes. Operators edit this table.
RESTRICTED_SERVICE_PLANS = {
    # Lync's PSTN and VoIP features are not offered where internet telephony is restricted.
    "MCOSTANDARD": {"AE", "CN", "CU", "IR", "KP", "OM", "SY"},
    "MCOLITE": {"AE", "CN", "CU", "IR", "KP", "OM", "SY"},
    # Office Professional Plus downloads are subject to export controls.
    "OFFICESUBSCRIPTION": {"CU", "IR", "KP", "SY"},
}
# Countries where no plan may be used at all (trade embargoes).
EMBARGOED_COUNTRIES = {"CU", "IR", "KP", "SY"}


def restricted_service_plan_ids(service_plans: list[dict], country: str) -> list[str]:
    """The servicePlanIds of `service_plans` not offered in `country` (an ISO code)."""
    return [plan["servicePlanId"] for plan in service_plans
            if country in RESTRICTED_SERVICE_PLANS.get(plan["servicePlanName"], ())]
