import { watch, type FSWatcher } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { CONFIG_FILE } from '../config/config-file.ts';

/** Editors save in bursts (write, rename, chmod); changes closer together than this arrive as one batch. */
const SETTLE_MS = 15;

/**
 * Watches `issues/`, `templates/` and the config file, and calls `onChange` with the changed paths (relative to the
 * root, `/`-separated) once a burst of events settles. Returns a function that stops watching.
 */
export function watchProject(root: string, onChange: (paths: string[]) => void): () => void {
  const watchers: FSWatcher[] = [];
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const note = (path: string) => {
    pending.add(path.split(sep).join('/'));
    clearTimeout(timer);
    timer = setTimeout(() => {
      const batch = [...pending];
      pending = new Set();
      onChange(batch);
    }, SETTLE_MS);
  };
  for (const folder of ['issues', 'templates']) {
    try {
      watchers.push(
        watch(join(root, folder), { recursive: true }, (_event, name) => {
          if (name) note(relative(root, join(root, folder, name.toString())));
        }),
      );
    } catch {
      // The folder does not exist (yet); nothing in it to preview.
    }
  }
  watchers.push(
    watch(root, (_event, name) => {
      if (name?.toString() === CONFIG_FILE) note(CONFIG_FILE);
    }),
  );
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
