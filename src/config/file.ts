/** The newsletter's one config file, at the project root. */
export const CONFIG_FILE = 'newsletter.yaml';
