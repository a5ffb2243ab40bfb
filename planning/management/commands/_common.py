def print_report(command, report, what: str) -> None:
    for r in report.rejected:
        command.stdout.write(f"  odrzucono {r}")
    if report.refused:
        command.stdout.write(command.style.ERROR(f"  {report.refused}"))
    for note in report.notes:
        command.stdout.write(f"  {note}")
    summary = f"{what}: odczytano obiektów {report.read}"
    if report.created or report.updated:
        summary += f", akty nowe: {report.created}, zaktualizowane: {report.updated}"
    summary += f", tereny: {report.zones}, odrzucono: {len(report.rejected)}."
    if report.dry_run:
        summary += " Próba (--dry-run): niczego nie zapisano."
    command.stdout.write(
        command.style.SUCCESS(summary) if not report.rejected else command.style.WARNING(summary)
    )
