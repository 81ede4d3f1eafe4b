"""The rules every row must pass, checked a batch at a time (one or two queries per batch).

Used twice with the same code: by the verification job (nothing is created) and again by the import job
just before it creates each batch, because accounts may have been created between the two.
"""

from dataclasses import dataclass, field

from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from users.bulk_import.columns import COLUMN_COUNT, COLUMNS
from users.models import ALIAS_MAX_LENGTH, DOMAIN_MAX_LENGTH, UPN_MAX_LENGTH, User
from users.services import alias_errors

# Keeps every IN (...) list under SQLite's and PostgreSQL's comfortable parameter counts.
QUERY_CHUNK = 900


@dataclass(frozen=True)
class RowError:
    line: int
    upn: str
    column: str  # the column's label; empty when the whole row is wrong
    message: str


@dataclass
class Candidate:
    """A row that passed every check: the values for a new User, and where it came from."""

    line: int
    values: dict = field(default_factory=dict)

    @property
    def upn(self) -> str:
        return self.values["upn"]


def _chunks(items: list, size: int = QUERY_CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


class RowChecker:
    """Checks rows in file order; remembers the valid user names seen so far (duplicates inside the file)."""

    def __init__(self, tenant):
        self.tenant = tenant
        self.initial_domain = tenant.initial_domain.lower()
        self.domains = {name.lower() for name in tenant.domains.filter(verified_at__isnull=False)
                        .values_list("name", flat=True)} | {self.initial_domain}
        self.other_domains = sorted(self.domains - {self.initial_domain})
        # The only state that grows with the file: one entry per valid user name (about 100 bytes each).
        self.seen: dict[str, int] = {}
        self.aliases_on_other_domains: set[str] = set()

    def check(self, records: list[tuple[int, list[str]]]) -> tuple[list[Candidate], list[RowError]]:
        """(valid rows, errors) for a batch of (line, cells), in file order."""
        errors: list[RowError] = []
        shaped: list[Candidate] = []
        for line, cells in records:
            candidate, row_errors = self._check_cells(line, cells)
            errors.extend(row_errors)
            if candidate is not None:
                shaped.append(candidate)
        live = self._live_upns([c.upn for c in shaped])
        taken_aliases = self._aliases_taken_elsewhere(
            [c.upn.partition("@")[0] for c in shaped if c.upn.partition("@")[2] == self.initial_domain])
        valid = []
        for candidate in shaped:
            error = self._check_against_others(candidate, live, taken_aliases)
            if error:
                errors.append(error)
                continue
            alias, _at, domain = candidate.upn.partition("@")
            self.seen[candidate.upn] = candidate.line
            if domain != self.initial_domain:
                self.aliases_on_other_domains.add(alias)
            valid.append(candidate)
        errors.sort(key=lambda error: error.line)
        return valid, errors

    def _check_cells(self, line: int, cells: list[str]) -> tuple[Candidate | None, list[RowError]]:
        raw_upn = cells[0].strip() if cells else ""
        if len(cells) != COLUMN_COUNT:
            return None, [RowError(line, raw_upn, "", _(
                "The row has %(found)d columns; it must have %(expected)d. Check for a missing or extra comma "
                "(a value that contains a comma must be in quotes).") % {"found": len(cells), "expected": COLUMN_COUNT})]
        values = {column.field: cell.strip() for column, cell in zip(COLUMNS, cells)}
        errors = []
        for column in COLUMNS[1:]:
            value = values[column.field]
            if len(value) > column.max_length:
                errors.append(RowError(line, raw_upn, str(column.label), _(
                    "%(column)s can have at most %(max)d characters; this one has %(found)d.")
                    % {"column": column.label, "max": column.max_length, "found": len(value)}))
        if not values["display_name"]:
            errors.append(RowError(line, raw_upn, str(COLUMNS[3].label), _("Enter a display name.")))
        errors.extend(self._upn_errors(line, raw_upn))
        if errors:
            return None, errors
        values["upn"] = raw_upn.lower()
        return Candidate(line=line, values=values), []

    def _upn_errors(self, line: int, upn: str) -> list[RowError]:
        label = str(COLUMNS[0].label)

        def error(message):
            return [RowError(line, upn, label, message)]

        if not upn:
            return error(_("Enter a user name (alias@domain)."))
        if upn.count("@") != 1:
            return error(_("The user name must be a full address: alias@domain."))
        alias, _at, domain = upn.lower().partition("@")
        problems = alias_errors(alias)
        if problems:
            return error(problems[0])
        if len(domain) > DOMAIN_MAX_LENGTH:
            return error(_("The domain can have at most %(max)d characters.") % {"max": DOMAIN_MAX_LENGTH})
        if len(upn) > UPN_MAX_LENGTH:
            return error(_("The user name can have at most %(max)d characters in all (alias at most %(alias)d).")
                         % {"max": UPN_MAX_LENGTH, "alias": ALIAS_MAX_LENGTH})
        if domain not in self.domains:
            return error(_("%(domain)s is not one of your organization's verified domains.") % {"domain": domain})
        return []

    def _check_against_others(self, candidate: Candidate, live: set[str], taken_aliases: set[str]) -> RowError | None:
        label = str(COLUMNS[0].label)
        if candidate.upn in self.seen:
            return RowError(candidate.line, candidate.upn, label, _(
                "The user name is also on line %(line)d of the file; each user name can be used once.")
                % {"line": self.seen[candidate.upn]})
        if candidate.upn in live:
            return RowError(candidate.line, candidate.upn, label, _("The user name is already used by another account."))
        alias, _at, domain = candidate.upn.partition("@")
        if domain == self.initial_domain and (alias in taken_aliases or alias in self.aliases_on_other_domains):
            # SPEC users/ "User ID": alias@<initial> then alias@custom is allowed; the reverse order is not.
            return RowError(candidate.line, candidate.upn, label, _(
                "%(alias)s is already used on another of your domains; a user name on the initial domain cannot be "
                "added after one on another domain.") % {"alias": alias})
        return None

    def _live_upns(self, upns: list[str]) -> set[str]:
        # Live user names are unique across all organizations (the database constraint), so this is too;
        # the message does not say where the name is used.
        # LOWER(upn) among live accounts is exactly the unique index (user_live_upn_unique): an index lookup
        # whatever the number of users.
        found = set()
        live = User.objects.annotate(upn_lower=Lower("upn")).filter(deleted_at__isnull=True).order_by()
        for chunk in _chunks(upns):
            found.update(live.filter(upn_lower__in=chunk).values_list("upn_lower", flat=True))
        return found

    def _aliases_taken_elsewhere(self, aliases: list[str]) -> set[str]:
        """Aliases of `aliases` that a live account of this organization uses on a non-initial domain."""
        if not aliases or not self.other_domains:
            return set()
        names = [f"{alias}@{domain}" for alias in aliases for domain in self.other_domains]
        taken = set()
        for chunk in _chunks(names):
            taken.update(upn.partition("@")[0].lower() for upn in User.objects.filter(
                tenant=self.tenant, upn__in=chunk, deleted_at__isnull=True).order_by().values_list("upn", flat=True))
        return taken
