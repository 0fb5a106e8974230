import { spawn } from 'node:child_process';
import { startPreview } from '../../preview/server.ts';

export interface PreviewCommand {
  root: string;
  port: number;
  host: string;
  /** The local inbox's SMTP port. */
  smtpPort: number;
  open: boolean;
  /** `NEWSLETTER_DB` as read; null for the default. The preview only ever reads it. */
  databasePath: string | null;
}

function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`Could not open a browser; visit ${url}\n`));
  child.unref();
}

/** `newsletter preview`: serves the live preview until Ctrl-C. */
export async function runPreview(cmd: PreviewCommand): Promise<number> {
  let preview;
  try {
    preview = await startPreview({
      root: cmd.root,
      port: cmd.port,
      host: cmd.host,
      smtpPort: cmd.smtpPort,
      databasePath: cmd.databasePath,
      onDeskProblem: (problem) => process.stderr.write(`newsletter preview: the desk cannot read the subscriber database: ${problem}\n`),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`newsletter preview: port ${cmd.port} is in use; choose another with --port\n`);
      return 1;
    }
    throw error;
  }
  const scope = cmd.host === '127.0.0.1' || cmd.host === 'localhost' || cmd.host === '::1' ? 'this computer only' : `${cmd.host}: other machines may reach it`;
  // Listening for Ctrl-C before saying "Ctrl-C stops": until a listener exists, SIGINT ends the process outright.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write(`Preview at ${preview.url} (listening on ${scope}). Edits to issues/, templates/ and newsletter.yaml show at once. Ctrl-C stops.\n`);
  process.stdout.write(
    preview.inbox
      ? `Local inbox: SMTP on 127.0.0.1:${preview.inbox.port}; "Send test" in the page delivers there.\n`
      : `Local inbox off: ${preview.inboxProblem}; choose another port with --smtp-port.\n`,
  );
  if (cmd.open) openBrowser(preview.url);
  await stopped;
  await preview.close();
  return 0;
}
