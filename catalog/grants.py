"""What each role may do with the catalog (collected by `core.roles.role_permissions`)."""

from core.roles import Role

_MODELS = [
    "product", "standalonesellingprice", "optiongroup", "productoption", "configurationrule",
    "bundlecomponent", "pricebook", "pricebookentry", "pricetier", "taxcategory", "taxrate",
    "coupon", "guidedquestion", "guidedanswer", "guidedproposal",
]
_VIEW = [f"catalog.view_{model}" for model in _MODELS]
_EDIT = [f"catalog.{action}_{model}" for model in _MODELS for action in ("add", "change", "delete")]

GRANTS = {
    Role.SALES_REP: _VIEW,
    Role.SALES_MANAGER: _VIEW,
    Role.FINANCE: [*_VIEW, "catalog.view_pricechange"],
    Role.ACCOUNTANT: [*_VIEW, "catalog.view_pricechange"],
    Role.CATALOG_ADMIN: [*_VIEW, *_EDIT, "catalog.view_pricechange", "catalog.import_prices"],
    Role.SYSTEM: _VIEW,
}
