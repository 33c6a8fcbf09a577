/**
 * tickwire/data: the market data store (bars and ticks) on SQLite or PostgreSQL.
 * `openDatabase(url)` gives a `Database`; see docs/data.md.
 */
export * from "./types.js";
export * from "./errors.js";
export { openDatabase, parseDatabaseUrl, resolveDatabaseUrl, DEFAULT_DATABASE_URL, type DatabaseTarget } from "./openDatabase.js";
export {
  importBarsCsv,
  exportBarsCsv,
  parseColumnMapping,
  CSV_DEFAULT_COLUMNS,
  type CsvField,
  type CsvImportOptions,
  type CsvImportResult,
  type CsvBadRow,
  type CsvExportOptions,
} from "./csv.js";
export { TickwireError, isTickwireError, type TickwireErrorCode, type AnyErrorCode } from "../event/errors.js";
export { DATA_ERRORS } from "./errorCodes.js";
