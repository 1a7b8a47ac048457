"""Meeting records: the ``zcsim.meeting/1`` format, reading and validation, and the audit."""

from zcsim.records._io import load_record, parse_record, record_schema
from zcsim.records._model import FORMAT, Record
from zcsim.records._seal import read_key, seal_record, verify_seal
from zcsim.records.audit import AuditReport, audit, audit_file, rules_for

__all__ = [
    "FORMAT",
    "Record",
    "load_record",
    "parse_record",
    "record_schema",
    "AuditReport",
    "audit",
    "audit_file",
    "rules_for",
    "seal_record",
    "verify_seal",
    "read_key",
]
