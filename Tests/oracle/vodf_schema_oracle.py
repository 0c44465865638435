"""vodf_schema 0.0.0 (the wheels in ../shared/oracles, the VODF reference checker) run on one HDU.

`errors(hdu, kind)` validates with onerror="log", so that every error is collected instead of the
first one raised, and returns the keywords and columns the errors name. vodf's findings are compared
with these names, not with message texts.
"""
import logging
import re
import warnings

try:
    from vodf_schema.level1 import EventList, ObservationGroupingTable
except ImportError:  # the venv was made without ../shared/oracles
    EventList = ObservationGroupingTable = None

SCHEMAS = {"event-list": "EventList", "grouping": "ObservationGroupingTable"}

_SETS = [re.compile(r"missing the following required keywords: \{(.*)\}"),
         re.compile(r"following required columns are missing \{(.*)\}")]
_ONE = [re.compile(r"Header keyword (\S+) has wrong type"),
        re.compile(r"Possible values for '([^']+)'"),
        re.compile(r"Card (\S+) exists but has no value"),
        re.compile(r"Expected card (\S+) at position"),
        re.compile(r"Column '([^']+)'")]


def available():
    return EventList is not None


def names(message):
    """The keywords or columns one fits_schema error message is about."""
    for rx in _SETS:
        m = rx.search(message)
        if m:
            return {s.strip().strip("'\"") for s in m.group(1).split(",")}
    for rx in _ONE:
        m = rx.search(message)
        if m:
            return {m.group(1)}
    return {"?" + message}


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.errors = []
        self.column = None   # the column being checked, for messages that do not name it

    def emit(self, record):
        if record.levelno >= logging.ERROR:
            message = record.getMessage()
            if self.column and "{self.name}" in message:
                message = message.replace("{self.name}", self.column)
            self.errors.append(message)


def _watch(schema, handler):
    """Wraps each column check so that the handler knows which column a message is about
    (fits_schema's unit message is not an f-string: it says "Column '{self.name}'")."""
    originals = {}
    for name, col in schema.__columns__.items():
        originals[name] = col.validate_data

        def checked(data, onerror="raise", _name=name, _check=col.validate_data):
            handler.column = _name
            try:
                return _check(data, onerror=onerror)
            except Exception as e:      # the check itself fails on the data (numpy on text): an error on this column
                handler.errors.append(f"Column '{_name}': {type(e).__name__}: {e}")
            finally:
                handler.column = None
        col.validate_data = checked
    return originals


def messages(hdu, kind):
    """fits_schema's error messages for `hdu` as `kind` ('event-list' or 'grouping')."""
    schema = {"event-list": EventList, "grouping": ObservationGroupingTable}[kind]
    log = logging.getLogger("fits_schema")
    handler = _Collect()
    log.addHandler(handler)
    old = log.level
    log.setLevel(logging.DEBUG)
    originals = _watch(schema, handler)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # AdditionalHeaderCard: warnings, not errors
            try:
                schema.validate_hdu(hdu, onerror="log")
            except Exception as e:            # a check that fails outright (bad data) is an error too
                handler.errors.append(f"{type(e).__name__}: {e}")
    finally:
        for name, check in originals.items():
            schema.__columns__[name].validate_data = check
        log.removeHandler(handler)
        log.setLevel(old)
    return handler.errors


def errors(hdu, kind):
    """The keyword and column names vodf_schema reports errors on."""
    out = set()
    for m in messages(hdu, kind):
        out |= names(m)
    return out
