"""The customer's pay-by-card link pages (the payments issue fills these in)."""

urlpatterns: list = []
