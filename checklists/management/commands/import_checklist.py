"""Import a checklist spreadsheet into a site's latest assessment, after printing every change it makes."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from checklists.rules.access import Need, can
from checklists.rules.imports import ImportRefused
from checklists.selectors.imports import ImportPlan, import_plan, latest_assessment_of
from checklists.services.checks import AssessmentNotEditable
from checklists.services.imports import checklist_import_apply
from checklists.services.responses import ResponseConflict
from phb_readiness.sites.models import PilotSite, role_at


def refused(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = (
        "Import a checklist spreadsheet (the site's exported XLSX or its blank template) into the site's latest "
        "assessment. Prints every change, old beside new, then applies them in one transaction as the person named "
        "by --user (with --dry-run: only prints). Items changed in the service since the file was written are "
        "left alone unless named with --overwrite. Any refusal exits with status 2 and changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("site", help="The site's code, e.g. SITE-A.")
        parser.add_argument("file", help="The .xlsx file.")
        parser.add_argument(
            "--user",
            required=True,
            help="Username or e-mail of the manager or contributor importing: the audit trail names them.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Print the changes; write nothing.")
        parser.add_argument(
            "--confirm-carried",
            action="store_true",
            help="Confirm the answers carried forward from the last round that the file leaves as they are.",
        )
        parser.add_argument(
            "--overwrite", action="append", default=[], metavar="CODE", help="Overwrite this conflicting item."
        )

    def handle(
        self,
        *args,
        site: str,
        file: str,
        user: str,
        dry_run: bool,
        overwrite: list[str],
        confirm_carried: bool,
        **options,
    ) -> None:
        pilot_site = PilotSite.objects.filter(code=site).first()
        if pilot_site is None:
            raise refused(f"There is no site {site}.")
        person = get_user_model().objects.filter(Q(username=user) | Q(email__iexact=user), is_active=True).first()
        if person is None:
            raise refused(f"There is no active person {user}.")
        assessment = latest_assessment_of(pilot_site)
        if assessment is None:
            raise refused(f"{site} has no assessment yet.")
        if not assessment.is_editable:
            raise refused(
                f"{site}'s {assessment.round_label} is {assessment.get_state_display().lower()}: its answers are "
                "frozen, so nothing was imported."
            )
        role = role_at(person, pilot_site)
        if not can(role, Need.EDIT):
            raise refused(f"{user} may not edit {site}'s answers, so may not import them.")
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise refused(f"Cannot read {file}: {exc.strerror or exc}.") from None
        try:
            plan = import_plan(assessment=assessment, role=role, data=data, filename=path.name)
        except ImportRefused as exc:
            raise refused(str(exc)) from None
        self._print_plan(plan, overwrite=set(overwrite))
        if plan.errors:
            for error in plan.errors:
                self.stderr.write(str(error))
            raise refused(
                f"{len(plan.errors)} problem(s) in {path.name}; fix them and import again. Nothing was written."
            )
        unknown = set(overwrite) - {e["code"] for e in plan.conflicts}
        if unknown:
            raise refused(f"--overwrite names items that are not conflicts: {', '.join(sorted(unknown))}.")
        if dry_run or not plan.entries:
            self.stdout.write("Dry run: nothing was written." if dry_run else "Nothing to import.")
            return
        try:
            result = checklist_import_apply(
                assessment=assessment,
                user=person,
                role=role,
                entries=plan.entries,
                overwrite=set(overwrite),
                filename=path.name,
                confirm_carried=confirm_carried,
            )
        except ResponseConflict as exc:
            raise refused(f"{exc.current.item.code} changed while importing; nothing was written. Try again.") from None
        except (AssessmentNotEditable, PermissionDenied, ValidationError) as exc:
            detail = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise refused(f"The import could not be applied, so nothing was written: {detail}") from None
        self.stdout.write(f"Imported {len(result.applied)} changed item(s) into {site} ({assessment.round_label}).")
        if result.confirmed:
            self.stdout.write(f"Confirmed {len(result.confirmed)} answer(s) carried forward.")

    def _print_plan(self, plan: ImportPlan, *, overwrite: set[str]) -> None:
        a = plan.assessment
        self.stdout.write(f"{plan.filename} into {a.site.code} ({a.round_label}):")
        for entry in plan.entries:
            if entry.get("carried"):
                continue
            line = f"{entry['code']} (row {entry['row']})"
            if entry["conflict"]:
                base = entry["file_version"] or "blank"
                fate = "overwritten (--overwrite)" if entry["code"] in overwrite else "left alone"
                line += f" CONFLICT: changed here since the file was written (version {base} in the file, "
                line += f"{entry['version']} now); {fate}"
            self.stdout.write(line)
            for change in entry["changes"]:
                old = change["old"].replace("\n", " ") or "(empty)"
                new = change["new"].replace("\n", " ") or "(empty)"
                self.stdout.write(f"  {change['label']}: {old} -> {new}")
        if plan.carried:
            codes = ", ".join(e["code"] for e in plan.carried)
            self.stdout.write(f"Carried forward and unchanged (--confirm-carried confirms them): {codes}")
        self.stdout.write(
            f"{len(plan.changes)} item(s) to change, {len(plan.conflicts)} conflict(s), "
            f"{plan.unchanged + len(plan.carried)} row(s) unchanged."
        )
