"""What each role may do with revrec (collected by `core.roles.role_permissions`)."""

from core.roles import Role

_VIEW = ["revrec.view_revenuecontract", "revrec.view_performanceobligation",
         "revrec.view_scheduleline", "revrec.view_recognitionrun", "revrec.view_recognitionitem",
         "revrec.view_financingcomponent", "revrec.view_interestline",
         "revrec.view_returnestimate", "revrec.view_goodsreturn"]
_ACT = ["revrec.create_revenue_contracts", "revrec.run_recognition",
        "revrec.end_performanceobligation", "revrec.estimate_variable_consideration",
        "revrec.account_material_rights", "revrec.assess_financing",
        "revrec.record_goods_return"]

GRANTS = {
    # finance issues the credit notes for goods sent back, and records them arriving
    Role.FINANCE: [*_VIEW, "revrec.record_goods_return"],
    Role.ACCOUNTANT: [*_VIEW, *_ACT],
    Role.SYSTEM: [*_VIEW, *_ACT],
}
