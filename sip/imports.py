"""The report of an import, shared by every app: what was read, created, updated, and every
rejected row or feature with its reason, so that no row is lost silently.

One class renders the same text for the command line (`write_to`) and the web
(`sip/import_report.html`): a summary line, then "odrzucono <where>: <reason>" for each
rejection and the notes. Apps fill it from their own parsers and may name their counts
(`counts`, a format of read, imported, created, updated and rejected)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

DEFAULT_COUNTS = (
    "Odczytano{unit}: {read}, zaimportowano: {imported} "
    "(nowe: {created}, zaktualizowane: {updated}), odrzucono: {rejected}"
)
DRY_RUN_NOTE = "Próba: niczego nie zapisano."


@dataclass
class Rejected:
    """One rejected row or feature: where it stands in the file (Polish, e.g. "wiersz 12") and
    why; `row` is its number when it has one, `values` its cells for an error spreadsheet."""

    where: str
    reason: str
    row: int | None = field(default=None, compare=False)
    values: list = field(default_factory=list, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class ImportReport:
    """What an import did; `dry_run` reports what it would have done (nothing kept)."""

    read: int = 0
    created: int = 0
    updated: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    # Set when the file was refused as a whole (nothing kept), with the reason in Polish.
    refused: str = ""
    # What the summary says before the counts (e.g. "Tereny planu 12/2020"), empty for none.
    title: str = ""

    counts: ClassVar[str] = DEFAULT_COUNTS
    unit: ClassVar[str] = ""  # what is counted after "Odczytano", e.g. " wierszy"

    @property
    def imported(self) -> int:
        return self.created + self.updated

    def reject(self, where: str, reason: str, *, row: int | None = None, values: list | None = None):
        """Add a rejection and return it."""
        rejection = Rejected(where, reason, row, list(values or []))
        self.rejected.append(rejection)
        return rejection

    def extra_counts(self) -> list[str]:
        """Further counts an app reports after the standard ones ("tereny: 4")."""
        return []

    def extra_notes(self) -> list[str]:
        """Sentences an app adds after the counts ("Nowe obręby: 0001.")."""
        return []

    def summary(self) -> str:
        """Return the one-paragraph summary, the same on the command line and the page."""
        text = self.counts.format(
            unit=self.unit,
            read=self.read,
            imported=self.imported,
            created=self.created,
            updated=self.updated,
            rejected=len(self.rejected),
        )
        if self.title:
            text = f"{self.title}: {text[:1].lower()}{text[1:]}"
        text = ", ".join([text, *self.extra_counts()]) + "."
        for sentence in [*self.extra_notes(), *([DRY_RUN_NOTE] if self.dry_run else [])]:
            text += f" {sentence}"
        return text

    def lines(self) -> list[str]:
        """Return the report's lines before the summary: each rejection, then the notes."""
        out = [f"odrzucono {r}" for r in self.rejected]
        if self.refused:
            out.append(self.refused)
        return out + list(self.notes)

    def write_to(self, command) -> None:
        """Write the report to a management command's output (warning style when rows were
        rejected)."""
        for line in self.lines():
            command.stdout.write(f"  {line}")
        summary = self.summary()
        style = command.style.WARNING if self.rejected or self.refused else command.style.SUCCESS
        command.stdout.write(style(summary))


class UnknownEncoding(ValueError):
    """A text file in neither of the encodings offices save CSV in; the message is Polish."""


# What offices' spreadsheets save CSV as: UTF-8 (with or without BOM) or Windows-1250.
TEXT_ENCODINGS = ("utf-8-sig", "cp1250")


def decode_text(data: bytes, name: str) -> str:
    """Return the text of an imported file in UTF-8 or Windows-1250; raise UnknownEncoding."""
    for encoding in TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnknownEncoding(f"Nie rozpoznano kodowania znaków pliku {name} (UTF-8 ani Windows-1250).")
