"""The case screen's pieces: its header and one widget per tab, each rendering a `CaseDetail`."""
