"""Files in and out: reading goal tables (CSV, XLSX forms, JSON), writing tables, review and diff reports."""
