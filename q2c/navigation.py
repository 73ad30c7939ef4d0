"""The sidebar: an entry shows only to users holding its permission, so each role sees its work."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from core.roles import roles_of


@dataclass(frozen=True)
class NavItem:
    section: str
    label: str
    url_name: str
    permission: str | None = None


NAV_ITEMS = [
    NavItem("Work", "Home", "home"),
    NavItem("Work", "Inbox", "notifications:inbox"),
    NavItem("Work", "Outbox", "notifications:outbox", "notifications.view_outbox"),
    NavItem("Work", "Analytics", "analytics:dashboard", "analytics.view_analytics"),
    NavItem("Customers", "Accounts", "customers:list", "customers.view_account"),
    NavItem("Customers", "Import accounts", "customers:import", "customers.import_accounts"),
    NavItem("Sales", "Quotes", "quotes:list", "quotes.view_quote"),
    NavItem("Sales", "New quote", "quotes:create", "quotes.add_quote"),
    NavItem("Sales", "Approvals", "quotes:approvals", "quotes.approve_quote"),
    NavItem("Sales", "Contracts", "contracts:list", "contracts.view_contract"),
    NavItem("Operations", "Orders", "orders:list", "orders.view_order"),
    NavItem("Operations", "Credit holds", "orders:credit_holds", "orders.release_order"),
    NavItem("Billing", "Invoice runs", "billing:runs", "billing.view_invoicerun"),
    NavItem("Billing", "Invoices", "billing:invoices", "billing.view_invoice"),
    NavItem("Billing", "Credit notes", "billing_documents:credit_notes", "billing.view_creditnote"),
    NavItem("Billing", "Usage import", "billing_documents:usage_import", "billing.import_usage"),
    NavItem("Billing", "Opening balances", "billing_documents:opening_balances",
            "billing.issue_invoice"),
    NavItem("Billing", "Tax report", "billing_documents:tax_report", "billing.view_invoicetax"),
    NavItem("Billing", "To print and post", "billing_documents:postal_copies",
            "billing.mark_posted"),
    NavItem("Cash", "Payments", "payments:list", "payments.view_payment"),
    NavItem("Cash", "Bank statement", "payments:statement_import", "payments.import_statement"),
    NavItem("Cash", "Dunning", "payments:dunning", "payments.view_dunningrun"),
    NavItem("Cash", "AR aging", "payments:aging", "payments.view_payment"),
    NavItem("Cash", "Customer credit", "payments:credits", "payments.view_customercredit"),
    NavItem("Cash", "Late charges", "payments:late_charges", "payments.view_latecharge"),
    NavItem("Revenue", "Revenue contracts", "revrec:contracts", "revrec.view_revenuecontract"),
    NavItem("Revenue", "Recognition runs", "revrec:runs", "revrec.view_recognitionrun"),
    NavItem("Revenue", "Period close", "revrec:close", "revrec.view_recognitionrun"),
    NavItem("Revenue", "Reports", "revrec:reports", "revrec.view_recognitionrun"),
    NavItem("Accounting", "Trial balance", "ledger:trial_balance", "ledger.view_journalentry"),
    NavItem("Accounting", "Journal", "ledger:journal", "ledger.view_journalentry"),
    NavItem("Accounting", "Manual journals", "ledger:manual_journals",
            "ledger.view_manualjournal"),
    NavItem("Accounting", "Periods", "ledger:periods", "ledger.view_accountingperiod"),
    NavItem("Accounting", "GL exports", "ledger:exports", "ledger.view_ledgerexport"),
    NavItem("Accounting", "Exchange rates", "ledger:rates", "ledger.view_exchangerate"),
    NavItem("System", "Operations", "operations:dashboard", "operations.view_operations"),
    NavItem("System", "Scheduled runs", "operations:schedule",
            "operations.view_schedulesettings"),
]


def visible_items(user):
    sections: dict[str, list[dict]] = {}
    for item in NAV_ITEMS:
        if item.permission and not user.has_perm(item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        sections.setdefault(item.section, []).append({"label": item.label, "url": url})
    return sections


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_sections": visible_items(user), "user_roles": sorted(roles_of(user))}
