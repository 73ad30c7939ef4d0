"""Refusals that hold for every page, before any view runs."""

from django.http import HttpResponseBadRequest

NUL = "\x00"
NUL_REFUSAL = ("The request holds a NUL character (\\x00), which no field accepts: "
               "remove it and try again.")


class RefuseNulCharacters:
    """A NUL character in a query parameter or a form field is refused with a 400 (a database
    refuses it in text, so it would surface as a 500 in whichever view reads it raw)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path or _holds_nul(request.GET) or (
                request.method == "POST" and _holds_nul(request.POST)):
            return HttpResponseBadRequest(NUL_REFUSAL, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _holds_nul(data) -> bool:
    return any(NUL in key or any(NUL in value for value in data.getlist(key)) for key in data)
