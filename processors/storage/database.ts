/** The database name goes into SQL text (it cannot be a bound parameter), so it is checked first. */
import { MonitorError } from '../../schemas/errors.ts';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function checkDatabaseName(database: string): string {
  if (!IDENTIFIER.test(database)) {
    throw new MonitorError(
      'CONFIG_INVALID',
      `database ${JSON.stringify(database)} is invalid: expected letters, digits and _ , not starting with a digit`,
      { database },
    );
  }
  return database;
}
