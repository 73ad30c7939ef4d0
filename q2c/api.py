"""The API's actions that are q2c flows: sending a quote goes through `q2c.flows.send_quote_flow`
as the quote page's Send does (the same document by the quote's kind, the same transition and
history, the email through the outbox)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action

from core.api.problems import problem
from core.pdf import PdfUnavailable
from q2c import flows
from quotes import api as quotes_api


class QuoteViewSet(quotes_api.QuoteViewSet):
    """The quotes endpoints, with Send."""

    @extend_schema(request=None, responses={
        200: quotes_api.QuoteSerializer,
        503: OpenApiResponse(description="The PDF cannot be rendered on this server.")})
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        """Send an approved quote: its PDF (an amendment's document, a renewal's prices against
        the contract it renews) is kept and emailed to the contact with their link."""
        quote = self.get_object()
        try:
            quote = flows.send_quote_flow(quote=quote, by=request.user,
                                          base_url=request.build_absolute_uri("/"))
        except PdfUnavailable as error:
            return problem(status.HTTP_503_SERVICE_UNAVAILABLE, str(error),
                           code="pdf_unavailable")
        return self._answer(quote)
