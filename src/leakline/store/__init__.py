"""Event store: normalizers into one ``events`` schema (Parquet) and DuckDB views."""
