import { join } from 'node:path';
import { diag, DiagnosticError } from '../core/diagnostic.ts';
import { readTextFile } from '../core/read-text.ts';
import { schemaProblems } from '../core/schema-problems.ts';
import { parseYamlDocument } from '../core/yaml-document.ts';
import { CONFIG_FILE } from './config-file.ts';
import { configSchema, type Config } from './schema.ts';

/** Validates config text; throws a DiagnosticError naming every bad key, its line and what it expects. */
export function parseConfig(text: string, file = CONFIG_FILE): Config {
  const yaml = parseYamlDocument(text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'));
  const yamlDiagnostics = yaml.problems.map((p) =>
    p.fatal
      ? diag(file, p.line, 'error', 'config/yaml', `not valid YAML: ${p.message}`)
      : diag(file, p.line, 'error', 'config/duplicate-key', p.message, p.field),
  );
  if (yaml.problems.some((p) => p.fatal)) throw new DiagnosticError(yamlDiagnostics);
  const input = yaml.value ?? {};
  const result = configSchema.safeParse(input);
  if (!result.success) {
    throw new DiagnosticError([
      ...yamlDiagnostics,
      ...schemaProblems(configSchema, result.error.issues, input, yaml, 1).map((p) =>
        diag(file, p.line, 'error', p.unknownKey ? 'config/unknown-key' : 'config/key', p.message, p.field),
      ),
    ]);
  }
  if (yamlDiagnostics.length > 0) throw new DiagnosticError(yamlDiagnostics);
  return result.data;
}

/** Reads `newsletter.yaml` from the project root; a project without one runs on the defaults. */
export async function loadConfig(root: string): Promise<Config> {
  let text: string;
  try {
    text = await readTextFile(join(root, CONFIG_FILE), CONFIG_FILE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return configSchema.parse({});
    throw error;
  }
  return parseConfig(text);
}
