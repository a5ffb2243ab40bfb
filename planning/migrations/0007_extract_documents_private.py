"""Issued extracts move out of MEDIA_ROOT into the private storage, under random names.

Before this, their files were in MEDIA_ROOT/planning/extracts/<teryt>/<year>/<case>-v<n>.pdf,
public through /media/ and named by sequential case numbers. Each file moves (not copies) to
SIP_PRIVATE_ROOT/planning/extracts/<teryt>/<year>/<random>.pdf and its row follows. A file
that is already missing is left as it is (the checked view then answers 404 with a message).
"""

import secrets
import shutil
from pathlib import Path

from django.conf import settings
from django.db import connection as db_connection
from django.db import migrations, models

import sip.storage


def move_to_private(apps, schema_editor):
    IssuedDocument = apps.get_model("planning", "IssuedDocument")
    connection = schema_editor.connection if schema_editor is not None else db_connection
    media = Path(settings.MEDIA_ROOT)
    private = Path(settings.SIP_PRIVATE_ROOT)
    moves = []
    for pk, name in IssuedDocument.objects.values_list("pk", "file").iterator():
        source = media / name
        if name and source.is_file():
            moves.append((pk, source, f"{Path(name).parent}/{secrets.token_urlsafe(24)}.pdf"))
    if not moves:
        return
    with connection.cursor() as cursor:
        # Issued documents are immutable (a trigger, migration 0001); only their file's place
        # changes here, so the trigger is off for this one statement list.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE planning_issueddocument DISABLE TRIGGER planning_document_immutable")
        for pk, source, new_name in moves:
            target = private / new_name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(source, target)
            cursor.execute("UPDATE planning_issueddocument SET file = %s WHERE id = %s", [new_name, pk])
        cursor.execute("ALTER TABLE planning_issueddocument ENABLE TRIGGER planning_document_immutable")


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0006_zone_in_force_local_date"),
    ]

    operations = [
        migrations.AlterField(
            model_name="issueddocument",
            name="file",
            field=models.FileField(
                max_length=200,
                storage=sip.storage.private_storage,
                upload_to="planning/extracts/",
                verbose_name="plik PDF",
            ),
        ),
        migrations.RunPython(move_to_private, migrations.RunPython.noop),
    ]
