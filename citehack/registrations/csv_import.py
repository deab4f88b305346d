"""Read a CSV list of registrations made elsewhere and check it line by line.

Nothing here writes: `parse_registrations` returns the valid rows and, per line, what is
wrong, in the reader's language; services.import_registrations writes the valid rows.
Spreadsheets save CSV in many ways, so this accepts UTF-8 with or without BOM, UTF-16 with a
BOM, Windows-1252 as a fallback, and ";", "," or tab between columns.
"""

import codecs
import csv
import io
import unicodedata
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

from .forms import ProfileForm
from .models import AgeBand, ParticipantStatus, RegistrationState, Skill, Theme

COLUMNS = [
    "name", "email", "phone", "status", "skills", "neighbourhood", "age_band", "accessibility_needs", "themes",
]
REQUIRED_COLUMNS = ["name", "email"]
# Headers people write in French or English spreadsheets, after normalising (see _key).
ALIASES = {
    "name": ["name", "nom", "full_name", "nom_complet", "prenom_nom", "prenom_et_nom"],
    "email": ["email", "e_mail", "mail", "courriel", "adresse_e_mail", "adresse_email"],
    "phone": ["phone", "telephone", "tel", "portable", "mobile"],
    "status": ["status", "statut"],
    "skills": ["skills", "competences"],
    "neighbourhood": ["neighbourhood", "neighborhood", "postcode", "quartier", "code_postal", "quartier_ou_code_postal"],
    "age_band": ["age_band", "age", "tranche_d_age", "tranche_age"],
    "accessibility_needs": ["accessibility_needs", "accessibility", "accessibilite", "besoins_d_accessibilite"],
    "themes": ["themes", "theme", "themes_d_interet"],
}
LIST_SEPARATOR = ";"


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, header): nothing line by line to report."""


@dataclass
class LineProblem:
    line: int
    message: str


@dataclass
class ImportRow:
    line: int
    profile: dict


@dataclass
class ParseResult:
    rows: list = field(default_factory=list)  # ImportRow, ready for register_participant
    errors: list = field(default_factory=list)  # LineProblem: the line is not imported
    already_registered: list = field(default_factory=list)  # LineProblem: skipped, not an error
    ignored_columns: list = field(default_factory=list)

    @property
    def line_count(self):
        return len(self.rows) + len(self.errors) + len(self.already_registered)


def _key(text):
    """Lower case, no accents, words joined by "_": "Tranche d'âge" -> "tranche_d_age"."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in text.casefold()).split()
    return "_".join(words)


def decode(raw):
    """Return the text of an uploaded file, trying the encodings spreadsheets use."""
    if raw.startswith(codecs.BOM_UTF8):
        raw, encodings = raw[len(codecs.BOM_UTF8):], ["utf-8"]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "cp1252"]
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The file could not be read: save it as CSV in UTF-8 and try again."))


def sniff_delimiter(header_line):
    counts = {delimiter: header_line.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _choice_lookup(choices):
    """Map codes and labels (French and English, any case, any accents) to codes."""
    lookup = {}
    for code, label in choices.choices:
        lookup[_key(code)] = code
        for language in ("fr", "en"):
            with translation.override(language):
                lookup[_key(str(label))] = code
    return lookup


def _choice_names(choices):
    return ", ".join(f"{code} ({label})" for code, label in choices.choices)


def read_rows(raw):
    """Return ([(line number, {column: value} or None if too many cells)], ignored headers).

    Raise ImportFileError when the file cannot be read or lacks the required columns.
    """
    text = decode(raw)
    if "\x00" in text:
        raise ImportFileError(_("The file could not be read: it does not look like a CSV file."))
    first_line = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if not first_line.strip():
        raise ImportFileError(_("The file is empty: the first line must name the columns."))
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=sniff_delimiter(first_line))
    try:
        header = next(reader)
    except csv.Error as error:
        raise ImportFileError(_("The file could not be read as CSV (%(error)s).") % {"error": error}) from error
    columns, ignored = [], []
    for title in header:
        key = _key(title)
        column = next((name for name, aliases in ALIASES.items() if key in aliases), None)
        if column is None or column in columns:
            if title.strip():
                ignored.append(title.strip())
            column = None
        columns.append(column)
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise ImportFileError(
            _("The first line must name the columns; missing: %(missing)s. Expected columns: %(expected)s.")
            % {"missing": ", ".join(missing), "expected": ", ".join(COLUMNS)}
        )
    rows = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns):]):
                rows.append((reader.line_num, None))
                continue
            values = {name: "" for name in COLUMNS}
            for column, cell in zip(columns, cells, strict=False):
                if column is not None:
                    values[column] = cell.strip()
            rows.append((reader.line_num, values))
    except csv.Error as error:
        raise ImportFileError(
            _("Line %(line)d could not be read as CSV (%(error)s).") % {"line": reader.line_num, "error": error}
        ) from error
    return rows, ignored


def _codes(value, lookup, choices, column, problems):
    if not value:
        return []
    codes = []
    for part in value.split(LIST_SEPARATOR):
        part = part.strip()
        if not part:
            continue
        code = lookup.get(_key(part))
        if code is None:
            problems.append(
                _("column “%(column)s”: “%(value)s” is unknown; use one of: %(choices)s.")
                % {"column": column, "value": part, "choices": _choice_names(choices)}
            )
        else:
            codes.append(code)
    return codes


def _one_code(value, lookup, choices, column, problems):
    codes = _codes(value, lookup, choices, column, problems)
    if len(codes) > 1:
        problems.append(_("column “%(column)s”: give one value only.") % {"column": column})
    return codes[0] if codes else ""


def parse_registrations(raw, *, event):
    """Check every line of the file against the form the public fills in.

    Returns a ParseResult; raises ImportFileError when the file itself is unreadable.
    """
    lines, ignored = read_rows(raw)
    result = ParseResult(ignored_columns=ignored)
    lookups = {
        "status": _choice_lookup(ParticipantStatus), "age_band": _choice_lookup(AgeBand),
        "skills": _choice_lookup(Skill), "themes": _choice_lookup(Theme),
    }
    registered = {
        email.lower()
        for email in event.registrations.exclude(state=RegistrationState.CANCELLED).values_list("user__email", flat=True)
    }
    seen = {}
    for line, values in lines:
        if values is None:
            result.errors.append(LineProblem(line, _("this line has more cells than the first line has columns.")))
            continue
        problems = []
        data = {
            "name": values["name"], "email": values["email"], "phone": values["phone"],
            "neighbourhood": values["neighbourhood"], "accessibility_needs": values["accessibility_needs"],
            "status": _one_code(values["status"], lookups["status"], ParticipantStatus, "status", problems)
            or (ParticipantStatus.OTHER if not values["status"] else ""),
            "age_band": _one_code(values["age_band"], lookups["age_band"], AgeBand, "age_band", problems),
            "skills": _codes(values["skills"], lookups["skills"], Skill, "skills", problems),
            "themes": _codes(values["themes"], lookups["themes"], Theme, "themes", problems),
        }
        form = ProfileForm(data)
        if not form.is_valid():
            for name, messages in form.errors.items():
                if name in ("status", "age_band", "skills", "themes") and problems:
                    continue  # already explained with the accepted values
                for message in messages:
                    problems.append(_("column “%(column)s”: %(message)s") % {"column": name, "message": message})
        if problems:
            result.errors.append(LineProblem(line, " ".join(problems)))
            continue
        profile = form.profile()
        email = profile["email"]
        if email in seen:
            result.errors.append(
                LineProblem(line, _("%(email)s is already on line %(line)d.") % {"email": email, "line": seen[email]})
            )
            continue
        seen[email] = line
        if email in registered:
            result.already_registered.append(
                LineProblem(line, _("%(email)s is already registered: line skipped.") % {"email": email})
            )
            continue
        result.rows.append(ImportRow(line, profile))
    return result
