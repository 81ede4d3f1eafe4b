"""Bulk import of users from a CSV file (SPEC users/ "Bulk import (CSV)").

The wizard (users/import_views.py) uploads a file, runs a verification Job that creates nothing, collects
the settings, licenses and mail recipients, then runs an import Job. Both jobs stream the file from disk
and work in batches, so a 100,000-row file needs bounded memory:

- columns.py   the 15 columns of the SPEC table, the blank template and the sample file
- reading.py   encoding and shape checks of the uploaded file; streaming its records
- rows.py      per-row rules (lengths, alias, verified domain, duplicates, the UPN rule across domains)
- logs.py      the CSV logs (error log, result log, the once-only password file), formula-safe
- services.py  starting the jobs, the wizard's choices, the once-only password download
- work.py      the verification and import work functions run by the jobs
- tasks.py     Celery tasks (ids in, idempotent)
"""
