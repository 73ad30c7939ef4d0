"""The defaults of revrec's policies, read from the settings here and nowhere else. A revenue
contract copies them when it is made and reads its own copy from then on, so a setting changed
later never moves revenue already scheduled.

Settings: REVREC_RECOGNITION_BASIS ("by_day" or "by_month"), REVREC_REMAINDER_TO
("largest_remainder" or "last_period"), REVREC_MID_MONTH_END ("service_end" or "month_end").
"""

from django.conf import settings

from catalog.revenue_schedule import Basis


def default_basis() -> Basis:
    """The recognition policy new revenue contracts take (an unknown value fails loudly)."""
    return Basis(settings.REVREC_RECOGNITION_BASIS, settings.REVREC_REMAINDER_TO,
                 settings.REVREC_MID_MONTH_END)


def policy_fields() -> dict[str, str]:
    """The default policy as `RevenueContract` field values."""
    basis = default_basis()
    return {"recognition_basis": basis.basis, "remainder_to": basis.remainder,
            "mid_month_end": basis.mid_month_end}
