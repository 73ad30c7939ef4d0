"""The audit pack download of an accounting period (see q2c.audit_pack)."""

import tempfile

from django.contrib.auth.decorators import permission_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404

from ledger.models import AccountingPeriod
from q2c.audit_pack import audit_pack_sheets, pack_name, write_xlsx, write_zip

WRITERS = {
    "xlsx": (write_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "zip": (write_zip, "application/zip"),
}
IN_MEMORY_BYTES = 8 * 1024 * 1024  # larger packs spill to a temporary file


@permission_required("ledger.view_accountingperiod", raise_exception=True)
def audit_pack(request, pk: int, kind: str):
    period = get_object_or_404(AccountingPeriod, pk=pk)
    write, content_type = WRITERS[kind]
    file = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115 (the response closes it)
    write(audit_pack_sheets(period), file)
    file.seek(0)
    return FileResponse(file, as_attachment=True, content_type=content_type,
                        filename=f"{pack_name(period)}.{kind}")
