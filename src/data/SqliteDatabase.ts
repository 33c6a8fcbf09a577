import { TickwireError } from "../event/errors.js";
import { TW_DATA_UNAVAILABLE } from "./errors.js";
import type { Database } from "./types.js";

export async function openSqliteDatabase(_target: string, url: string): Promise<Database> {
  throw new TickwireError(TW_DATA_UNAVAILABLE, `The Sqlite store is not built yet (${url}).`);
}
