/**
 * `newsletter subscribers list | head -1`: once the reader of stdout (or stderr) goes away, writing to it fails with
 * EPIPE, which Node would throw as an unhandled stream error with a stack trace. A closed output is not the
 * command's failure: the rest of what it prints is dropped, and the command ends as it would have. Its work is not
 * cut short, since a send or an import stopped halfway by a closed pipe would be worse than one that finishes.
 */
export function quietWhenOutputCloses(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // After EPIPE the stream is destroyed; writes to it are dropped and may report that, which is expected.
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
      throw error;
    });
  }
}
