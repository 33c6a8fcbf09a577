/*
 * The error codes of tickwire/data. Every error the store throws is a TickwireError with one of
 * these codes and a message that says what to do.
 */

/** A bar of a batch is invalid (NaN or negative price, high below low, unknown interval, bad id); nothing of the batch was saved. */
export const TW_DATA_INVALID_BAR = "TW_DATA_INVALID_BAR";
/** A tick of a batch is invalid; nothing of the batch was saved. */
export const TW_DATA_INVALID_TICK = "TW_DATA_INVALID_TICK";
/** A query is invalid: bad vtSymbol, interval or time. */
export const TW_DATA_INVALID_QUERY = "TW_DATA_INVALID_QUERY";
/** The database cannot be reached or opened; the message has the URL and what to do. */
export const TW_DATA_UNAVAILABLE = "TW_DATA_UNAVAILABLE";
/** The file or database exists but is not a tickwire store; it was left untouched. */
export const TW_DATA_NOT_TICKWIRE = "TW_DATA_NOT_TICKWIRE";
/** The store was written by a newer tickwire (schema version above this one's). */
export const TW_DATA_SCHEMA_TOO_NEW = "TW_DATA_SCHEMA_TOO_NEW";
/** The database URL is not one of the supported forms. */
export const TW_DATA_BAD_URL = "TW_DATA_BAD_URL";
/** The store was used after `close()`. */
export const TW_DATA_CLOSED = "TW_DATA_CLOSED";
/** A CSV import or export failed (bad row, bad column mapping, unreadable file). */
export const TW_DATA_CSV = "TW_DATA_CSV";
