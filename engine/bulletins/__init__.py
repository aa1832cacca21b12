"""Bulletins (通报): figures per department or street for a closed period, ranked, with 红榜/黑榜 wording,
stored with a PDF and an XLSX and sent to their recipients (docs/bulletins.md). Definitions are
configuration (engine.reporting); the case figures are the dashboard's own (engine.dashboard.case_kpis)."""
