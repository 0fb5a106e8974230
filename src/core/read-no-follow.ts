import type { NonSharedBuffer } from 'node:buffer';
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/**
 * Opening files the project publishes without ever following a symbolic link: a link in `issues/` or `dist/web/`
 * could otherwise publish any file the process can read. `O_NOFOLLOW` makes the check and the open one step (no
 * window to swap a file for a link); `O_NONBLOCK` keeps a FIFO named like an issue from hanging the open, and the
 * descriptor must then be a regular file.
 */
const FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export const SYMLINK_REFUSED = 'is a symbolic link, and symbolic links are never followed: put the file itself there';
export const NOT_A_FILE = 'is not a regular file';

/** An error whose message says plainly what is wrong with the file; `code` is `ELOOP` for a link. */
function refusal(reason: string, code: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(reason);
  error.code = code;
  return error;
}

function explain(error: unknown): unknown {
  return (error as NodeJS.ErrnoException).code === 'ELOOP' ? refusal(SYMLINK_REFUSED, 'ELOOP') : error;
}

/** Where `O_NOFOLLOW` does not exist (Windows), a link is caught by lstat first. */
function checkWithoutNoFollow(path: string): void {
  if (constants.O_NOFOLLOW === undefined && lstatSync(path).isSymbolicLink()) throw refusal(SYMLINK_REFUSED, 'ELOOP');
}

/** The file's bytes; a symbolic link or anything but a regular file is refused with a plain reason. */
export function readFileNoFollowSync(path: string): NonSharedBuffer {
  let fd: number;
  try {
    checkWithoutNoFollow(path);
    fd = openSync(path, FLAGS);
  } catch (error) {
    throw explain(error);
  }
  try {
    if (!fstatSync(fd).isFile()) throw refusal(NOT_A_FILE, 'EISDIR');
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** An open regular file that was not reached through a link at its last step; the caller closes it. */
export async function openNoFollow(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    checkWithoutNoFollow(path);
    handle = await open(path, FLAGS);
  } catch (error) {
    throw explain(error);
  }
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw refusal(NOT_A_FILE, 'EISDIR');
  }
  return handle;
}

export async function readFileNoFollow(path: string): Promise<NonSharedBuffer> {
  const handle = await openNoFollow(path);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
