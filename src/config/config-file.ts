/**
 * The project's configuration file, whose folder is the project's root. A module of its own: finding the project is
 * the first thing every command does, and through config/load.ts it loaded the YAML parser and the schema too.
 */
export const CONFIG_FILE = 'newsletter.yaml';
