"""Dunning email texts: `{{ placeholder }}` filled with plain strings. Pure, no ORM.

Texts are data that finance edits, so they are never run as Django templates (which would let
`{{ account.owner.password }}` walk from a model to a user's password hash): a fixed list of
names, each filled by the service with a string, and nothing else. The dotted names are the ones
the texts used when they were templates, kept so stored texts read the same.
"""

import re
from functools import lru_cache

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)

PLACEHOLDERS = {
    "invoice": "The invoice number",
    "invoice.number": "The invoice number",
    "invoice.currency": "The invoice's currency code",
    "invoice.due_on": "The due date (YYYY-MM-DD)",
    "invoice.issue_on": "The issue date (YYYY-MM-DD)",
    "invoice.total": "The invoice total, with its currency, as the customer's language writes "
                     "money (1.234,56 € in German)",
    "account": "The customer's account name",
    "account.name": "The customer's account name",
    "amount_due": "What is still due, with its currency, as the customer's language writes "
                  "money",
    "currency": "The invoice's currency code",
    "days_past_due": "Days since the due date (negative before it)",
    "pay_url": "The customer's link to pay the invoice by card",
    "fees": "The late fees charged with this step, with the currency",
    "interest": "The interest charged with this step, with the currency",
    "new_total_due": "What is due on the invoice and its unpaid late fees and interest, with "
                     "this step's",
}

REMIND, ESCALATE, FINAL_NOTICE = "remind", "escalate", "final_notice"  # dunning_rules.Action
# The texts of steps that have no template of their own, per account document language
# (English when there is none in it). Escalations go to the account's owner and finance, so
# they are in English.
DEFAULT_TEXTS = {
    "en": {
        REMIND: ("Invoice {{ invoice }} is due", "Dear customer,\n\nInvoice {{ invoice }} "
                 "for {{ amount_due }} was due on {{ invoice.due_on }}. "
                 "You can pay it by card here: {{ pay_url }}\n"),
        ESCALATE: ("{{ account }}: invoice {{ invoice }} is {{ days_past_due }} days late",
                   "Invoice {{ invoice }} of {{ account }} has {{ amount_due }} unpaid, "
                   "{{ days_past_due }} days past due.\n"),
        FINAL_NOTICE: ("Final notice: invoice {{ invoice }}", "Dear customer,\n\nInvoice "
                       "{{ invoice }} is {{ days_past_due }} days past due. Unless "
                       "{{ amount_due }} is paid, we will suspend your account. Pay here: "
                       "{{ pay_url }}\n"),
    },
    "de": {
        REMIND: ("Rechnung {{ invoice }} ist fällig", "Sehr geehrte Damen und Herren,\n\n"
                 "die Rechnung {{ invoice }} über {{ amount_due }} war am {{ invoice.due_on }} "
                 "fällig. Sie können sie hier mit Karte bezahlen: {{ pay_url }}\n"),
        FINAL_NOTICE: ("Letzte Mahnung: Rechnung {{ invoice }}", "Sehr geehrte Damen und "
                       "Herren,\n\ndie Rechnung {{ invoice }} ist seit {{ days_past_due }} "
                       "Tagen überfällig. Wenn {{ amount_due }} nicht bezahlt werden, müssen "
                       "wir Ihr Konto sperren. Hier bezahlen: {{ pay_url }}\n"),
    },
    "fr": {
        REMIND: ("La facture {{ invoice }} est échue", "Madame, Monsieur,\n\nla facture "
                 "{{ invoice }} de {{ amount_due }} était payable le {{ invoice.due_on }}. "
                 "Vous pouvez la régler par carte ici : {{ pay_url }}\n"),
        FINAL_NOTICE: ("Dernier rappel : facture {{ invoice }}", "Madame, Monsieur,\n\nla "
                       "facture {{ invoice }} est en retard de {{ days_past_due }} jours. Faute "
                       "du paiement de {{ amount_due }}, nous suspendrons votre compte. Payer "
                       "ici : {{ pay_url }}\n"),
    },
}
# Added to a text (a template's or the default) that does not name the charges itself, when
# its step charged late fees or interest: the customer is always told what was charged.
CHARGES_TEXTS = {
    "en": "\nWith this notice we charge {{ fees }} in late fees and {{ interest }} in "
          "interest: the new total due is {{ new_total_due }}.\n",
    "de": "\nMit diesem Schreiben berechnen wir {{ fees }} Mahngebühren und {{ interest }} "
          "Verzugszinsen: der neue fällige Gesamtbetrag ist {{ new_total_due }}.\n",
    "fr": "\nAvec cet avis, nous facturons {{ fees }} de frais de retard et {{ interest }} "
          "d'intérêts de retard : le nouveau total dû est de {{ new_total_due }}.\n",
}
# Amounts carry their currency ("1.234,56 €"); a text written when they did not
# ("{{ amount_due }} {{ currency }}", as the seeded German texts are) reads without the code.
AMOUNT_THEN_CODE = re.compile(
    r"(\{\{\s*(?:invoice\.total|amount_due|fees|interest|new_total_due)\s*\}\})"
    r"\s*\{\{\s*(?:invoice\.currency|currency)\s*\}\}")
CHARGE_PLACEHOLDERS = ("fees", "interest", "new_total_due")


def default_text(action: str, language: str) -> tuple[str, str, str]:
    """The language, subject and body of a step with no template: in `language` when there is
    a text in it, else English."""
    if action not in DEFAULT_TEXTS.get(language, {}):
        language = "en"
    return (language, *DEFAULT_TEXTS[language][action])


def with_charges(body: str, language: str) -> str:
    """The body, naming the step's charges and the new total due (in the body's language)
    unless it does so itself."""
    if any(name in PLACEHOLDER.findall(body) for name in CHARGE_PLACEHOLDERS):
        return body
    return body + CHARGES_TEXTS.get(language, CHARGES_TEXTS["en"])


def text_problems(text: str) -> list[str]:
    """What a text may not contain (shown when a template is saved): unknown names, filters,
    template tags and comments."""
    problems = [f"only {{{{ placeholders }}}} may be used, not {tag}"
                for tag in TAG.findall(text)]
    problems += [f"unknown placeholder {{{{ {name} }}}}; the placeholders are "
                 f"{', '.join(sorted(PLACEHOLDERS))}"
                 for name in dict.fromkeys(PLACEHOLDER.findall(text))
                 if name not in PLACEHOLDERS]
    return problems


def fill_text(text: str, values: dict[str, str]) -> str:
    """Every known placeholder replaced by its value; anything else is left as typed.

    >>> fill_text("Pay {{ amount_due }} {{ invoice.currency }} by {{ x }}",
    ...           {"amount_due": "1.234,56 €", "invoice.currency": "EUR"})
    'Pay 1.234,56 € by {{ x }}'
    """
    literals, names, typed = _pieces(text)
    parts = [literals[0]]
    for name, as_typed, literal in zip(names, typed, literals[1:], strict=True):
        parts += (str(values[name]) if name in values else as_typed, literal)
    return "".join(parts)


@lru_cache(maxsize=512)
def _pieces(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """A text split once into the literal runs between its placeholders, their names and their
    text as typed (a chunk fills the same few texts thousands of times: the same result as one
    `PLACEHOLDER.sub` each time, about five times faster)."""
    text = AMOUNT_THEN_CODE.sub(r"\1", text)
    literals, names, typed, start = [], [], [], 0
    for match in PLACEHOLDER.finditer(text):
        literals.append(text[start:match.start()])
        names.append(match.group(1))
        typed.append(match.group(0))
        start = match.end()
    literals.append(text[start:])
    return tuple(literals), tuple(names), tuple(typed)
