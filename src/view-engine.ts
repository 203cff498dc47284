import ejs from 'ejs';

type Render = (path: string, data: object, callback: (error: Error | null, html?: string) => void) => void;

/**
 * EJS as Express's view engine, with includes written from the views root (`/partials/head`):
 * ejs resolves a relative include on disk (a stat call) at every render, even with its template
 * cache on, while a root-relative one is a string operation. `cache` keeps compiled templates in
 * memory (production); without it templates are re-read, so edits show up in development.
 */
export function ejsEngine(viewsDir: string, { cache }: { cache: boolean }): Render {
  return (path, data, callback) => {
    ejs.renderFile(path, data, { root: viewsDir, cache }, callback);
  };
}
