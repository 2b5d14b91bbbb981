/**
 * "Only these stations" in SQL, for the lists a caller limited to sites reads (the API's site scope): the filter is
 * part of the query, so that a page's `limit` and `offset` count only rows the caller may see. The station ids travel
 * as one parameter whatever their number: SQLite reads a JSON array, PostgreSQL a text[].
 */
export interface StationListSql {
  /** The condition on `column`, with `placeholder` standing for the one parameter. */
  condition(column: string, placeholder: string): string;
  /** That parameter's value. */
  value(stationIds: readonly string[]): unknown;
}

export const SQLITE_STATION_LIST: StationListSql = {
  condition: (column, placeholder) => `${column} IN (SELECT value FROM json_each(${placeholder}))`,
  value: (stationIds) => JSON.stringify(stationIds),
};

export const POSTGRES_STATION_LIST: StationListSql = {
  condition: (column, placeholder) => `${column} = ANY(${placeholder}::text[])`,
  value: (stationIds) => [...stationIds],
};
