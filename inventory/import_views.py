"""Import from the staff page: upload, preview with an editable column mapping and a trial run,
then the import and a spreadsheet of the rejected rows."""

from __future__ import annotations

import shutil
import time
import uuid
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from sip import tenancy, uploads

from .forms import UploadForm, mapping_choices
from .importing import ImportFileError, import_file, plan, write_error_report
from .importing.sources import row_is_empty
from .values import mark_control_characters
from .views import _register, staff_gmina, staff_page

SALT = "inventory-import"
PREVIEW_ROWS = 10
TOKEN_MAX_AGE = 24 * 3600  # seconds an upload stays reachable; removed after that


def _upload_dir() -> Path:
    # Uploaded registers may hold personal data: private storage, never under MEDIA_ROOT; each
    # upload gets a random folder and is reached only through a signed token of these views.
    return Path(settings.SIP_PRIVATE_ROOT) / "inventory" / "imports"


def _remove_expired_uploads() -> None:
    """Delete the upload folders (file and rejected-rows sheet) whose token has expired: nothing
    reaches them any more, and they may hold personal data."""
    limit = time.time() - TOKEN_MAX_AGE
    root = _upload_dir()
    for folder in root.iterdir() if root.is_dir() else ():
        try:
            expired = folder.is_dir() and folder.stat().st_mtime < limit
        except FileNotFoundError:  # removed meanwhile by another request
            continue
        if expired:
            shutil.rmtree(folder, ignore_errors=True)


def _token(path: Path, srid: int | None) -> str:
    return signing.dumps({"path": str(path.relative_to(_upload_dir())), "srid": srid}, salt=SALT)


def _from_token(token: str) -> tuple[Path, int | None]:
    try:
        data = signing.loads(token, salt=SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise Http404("Nie ma takiego importu albo jego ważność minęła.") from None
    path = (_upload_dir() / data["path"]).resolve()
    if _upload_dir().resolve() not in path.parents or not path.exists():
        raise Http404("Nie ma takiego importu albo jego ważność minęła.")
    return path, data["srid"]


@staff_page
def upload(request, gmina: str, register: str):
    gmina = staff_gmina(request, gmina)
    register = _register(register)
    tenancy.require(request.user, register.perm("add"), gmina)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        incoming = form.cleaned_data["file"]
        _remove_expired_uploads()
        folder = _upload_dir() / uuid.uuid4().hex
        folder.mkdir(parents=True)
        path = folder / uploads.safe_file_name(incoming.name)
        with path.open("wb") as fh:
            for chunk in incoming.chunks():
                fh.write(chunk)
        url = reverse("inventory:import-preview", args=[gmina.slug, register.slug])
        return redirect(f"{url}?t={_token(path, form.cleaned_data['srid'])}")
    return render(
        request, "inventory/import_upload.html", {"gmina": gmina, "register": register, "form": form}
    )


@staff_page
def preview(request, gmina: str, register: str):
    gmina = staff_gmina(request, gmina)
    register = _register(register)
    tenancy.require(request.user, register.perm("add"), gmina)
    token = request.GET.get("t", "")
    path, srid = _from_token(token)
    context = {"gmina": gmina, "register": register, "token": token, "file_name": path.name}
    user_mapping = None
    if request.method == "POST":
        user_mapping = {}
        for key, value in request.POST.items():
            if key.startswith("col-"):
                user_mapping[request.POST.get(f"name-{key[4:]}", "")] = value
        user_mapping = {k: v for k, v in user_mapping.items() if k}
    try:
        layout = plan(register, path, mapping=user_mapping, srid=srid)
        run = request.method == "POST" and request.POST.get("action") == "import"
        report = import_file(
            actor=request.user,
            register=register,
            gmina=gmina,
            path=path,
            mapping=user_mapping,
            srid=srid,
            dry_run=not run,
            layout=layout,  # the file is read once for the preview and the trial run
        )
    except ImportFileError as exc:
        context["error"] = str(exc)
        layout = None
        report = None
    except PermissionDenied:
        raise
    if layout is not None:
        sample = []
        if layout.data_rows is not None:
            numbered = enumerate(layout.data_rows, start=layout.first_data_row)
            filled = ((n, row) for n, row in numbered if not row_is_empty(row))
            sample = [
                (n, [mark_control_characters(c) for c in row]) for n, row in islice(filled, PREVIEW_ROWS)
            ]
        context.update(
            columns=[
                {"index": i, "name": name, "target": layout.mapping.get(i, "")}
                for i, name in enumerate(layout.columns)
            ],
            choices=mapping_choices(register),
            sample=sample,
            first_row=layout.first_data_row,
        )
    if report is not None:
        context["report"] = report
        if report.rejected:
            write_error_report(report, path.with_name("odrzucone.xlsx"))
        if not report.dry_run:
            messages.success(request, report.summary())
            context["done"] = True
    return render(request, "inventory/import_preview.html", context)


@staff_page
def errors(request, gmina: str, register: str):
    gmina = staff_gmina(request, gmina)
    register = _register(register)
    tenancy.require(request.user, register.perm("add"), gmina)
    path, _ = _from_token(request.GET.get("t", ""))
    report = path.with_name("odrzucone.xlsx")
    if not report.exists():
        raise Http404("Ten import nie odrzucił żadnego wiersza.")
    return FileResponse(report.open("rb"), as_attachment=True, filename=f"{path.stem}-odrzucone.xlsx")
