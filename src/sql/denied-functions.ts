/**
 * Functions a query may not call, whatever the database's permissions: they sleep, read or write files, run
 * programs, open connections, change settings or sequences, signal other sessions, or run SQL given as a
 * string (which would pass a statement around the validator). Read-only transactions stop some of them at
 * run time, but not all (pg_sleep, pg_read_file and pg_ls_dir all work in a read-only transaction for a
 * superuser, as PGlite's user is), so they are refused before anything runs. Names are compared in lower
 * case, without their schema.
 */
export const DENIED_FUNCTIONS: ReadonlySet<string> = new Set([
  // PostgreSQL: time, files, programs, connections.
  'pg_sleep',
  'pg_sleep_for',
  'pg_sleep_until',
  'pg_stat_file',
  'pg_current_logfile',
  'dblink',
  // PostgreSQL: settings, sequences, transactions, other sessions, the server.
  'set_config',
  'setseed',
  'nextval',
  'setval',
  'txid_current',
  'pg_current_xact_id',
  'pg_export_snapshot',
  'pg_notify',
  'pg_promote',
  'pg_reload_conf',
  'pg_rotate_logfile',
  'pg_switch_wal',
  'pg_log_backend_memory_contexts',
  'pg_terminate_backend',
  'pg_cancel_backend',
  // PostgreSQL: SQL in a string, run by the server (read-only transactions stop writes, not the bypass).
  'query_to_xml',
  'query_to_xmlschema',
  'query_to_xml_and_xmlschema',
  'cursor_to_xml',
  'cursor_to_xmlschema',
  'table_to_xml',
  'table_to_xmlschema',
  'table_to_xml_and_xmlschema',
  'schema_to_xml',
  'schema_to_xmlschema',
  'schema_to_xml_and_xmlschema',
  'database_to_xml',
  'database_to_xmlschema',
  'database_to_xml_and_xmlschema',
  'loread',
  'lowrite',
  // SQLite: extensions, files, the shell's helpers, and virtual tables over files and pages.
  'load_extension',
  'readfile',
  'writefile',
  'edit',
  'fsdir',
  'zipfile',
  'zipfile_cds',
  'sqlar_compress',
  'sqlar_uncompress',
  'sqlite_dbpage',
  'fts3_tokenizer',
  'eval',
  // Common extension names for the same powers, in either dialect.
  'sleep',
  'system',
  'shell',
  'exec',
]);

/** Families refused by prefix: every large-object call, file listing and reading, locks, replication, backups. */
export const DENIED_FUNCTION_PREFIXES: readonly string[] = [
  'lo_',
  'pg_read_',
  'pg_ls_',
  'pg_file_',
  'pg_advisory',
  'pg_try_advisory',
  'pg_create_',
  'pg_drop_',
  'pg_replication_',
  'pg_logical_',
  'pg_backup_',
  'pg_start_backup',
  'pg_stop_backup',
  'pg_stat_reset',
  'pg_import_',
  'pg_wal_replay_',
  'dblink_',
];

export function isDeniedFunction(name: string): boolean {
  const lower = name.toLowerCase();
  return DENIED_FUNCTIONS.has(lower) || DENIED_FUNCTION_PREFIXES.some((prefix) => lower.startsWith(prefix));
}
