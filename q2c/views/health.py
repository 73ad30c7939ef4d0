from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from operations import selectors


@login_not_required
@never_cache
def health(request):
    """For the container healthcheck and monitoring: the database answers (else 503), and what
    the broker and beat say ("eager" broker: none is set, tasks run in the web process)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return JsonResponse({"status": "down", "database": f"{type(error).__name__}"},
                            status=503)
    broker, beat = selectors.broker(), selectors.beat()
    ok = broker.status in ("ok", "eager") and (broker.status == "eager" or not beat.late)
    return JsonResponse({
        "status": "ok" if ok else "degraded",
        "database": "ok",
        "broker": broker.status if not broker.detail or broker.status == "eager"
        else f"{broker.status}: {broker.detail}",
        "beat": {"last_tick": beat.last_tick.isoformat() if beat.last_tick else None,
                 "late": beat.late},
    })
