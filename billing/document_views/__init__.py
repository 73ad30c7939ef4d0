"""Billing's document pages beside the invoices: credit notes, PDFs, usage import, opening
balances and the tax report. Views are thin: a selector or one service call each."""
