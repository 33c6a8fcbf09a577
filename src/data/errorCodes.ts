import type { ErrorCatalogue } from "../errorCodes.js";

/** The error codes of tickwire/data (the bar and tick store). See docs/errors.md. */
export const DATA_ERRORS = {
  TW_DATA_INVALID_BAR: {
    meaning: "A bar of a batch is invalid (NaN or negative price, high below low, unknown interval, bad id); nothing of the batch was saved.",
    fix: "Fix the bar named in the message (build bars with createBar).",
  },
  TW_DATA_INVALID_TICK: {
    meaning: "A tick of a batch is invalid; nothing of the batch was saved.",
    fix: "Fix the tick named in the message (build ticks with createTick).",
  },
  TW_DATA_INVALID_QUERY: {
    meaning: "A query is invalid: bad vtSymbol, interval or time range.",
    fix: 'Give a vtSymbol "symbol.EXCHANGE", an interval of 1m, 1h, d or w, and times as the message says.',
  },
  TW_DATA_UNAVAILABLE: {
    meaning: "The database cannot be reached or opened.",
    fix: "Check the URL in the message, that PostgreSQL runs, or that the SQLite file's folder is writable.",
  },
  TW_DATA_NOT_TICKWIRE: {
    meaning: "The file or database exists but is not a tickwire store; it was left untouched.",
    fix: "Point the URL at a tickwire store or at a new file/database.",
  },
  TW_DATA_SCHEMA_TOO_NEW: {
    meaning: "The store was written by a newer tickwire (its schema version is above this one's).",
    fix: "Upgrade tickwire.",
  },
  TW_DATA_BAD_URL: {
    meaning: "The database URL is not one of the supported forms.",
    fix: "Use sqlite:path/to/file.sqlite, sqlite::memory: or postgres://user@host:port/db (docs/data.md).",
  },
  TW_DATA_CLOSED: {
    meaning: "The store was used after close().",
    fix: "Open it again with openDatabase().",
  },
  TW_DATA_CSV: {
    meaning: "A CSV import or export failed (bad row, bad column mapping, unreadable file).",
    fix: "Fix the file or the column mapping as the message says.",
  },
} as const satisfies ErrorCatalogue<"TW_DATA_">;
