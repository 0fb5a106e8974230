/** A database written by a newer version of the newsletter, on either engine: refused before anything is changed. */
export class SchemaTooNewError extends Error {
  constructor(
    readonly where: string,
    readonly found: number,
    readonly known: number,
  ) {
    super(`${where}: the database's schema is version ${found}, newer than this newsletter knows (${known}); upgrade the newsletter, nothing was changed`);
    this.name = 'SchemaTooNewError';
  }
}
