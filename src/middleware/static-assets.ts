import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import express, { type RequestHandler } from 'express';

const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

export interface StaticAssets {
  /** Where the files are served: /assets/<version>, the version being a hash of every file. */
  prefix: string;
  /** URL of a file of the folder, for views: url('styles.css') -> /assets/<version>/styles.css. */
  url: (file: string) => string;
  serve: RequestHandler;
}

/**
 * Serves a folder with long-lived caching. The file names carry no hash, so the URL does: the
 * version is a hash of the folder's content, computed once at start. A changed file gets a new
 * URL, so browsers may keep every response for a year without asking again (`immutable`), and
 * ETag / Last-Modified still answer a conditional request with 304. Mounted under its own prefix,
 * so page requests never touch the file system.
 */
export function staticAssets(dir: string): StaticAssets {
  const prefix = `/assets/${versionOf(dir)}`;
  return {
    prefix,
    url: (file) => `${prefix}/${file}`,
    // No redirect from a folder to its URL with a "/": there is nothing to list there, and
    // serve-static builds that Location from the request target, which the client chooses.
    serve: express.static(dir, { index: false, redirect: false, immutable: true, maxAge: ONE_YEAR_MS }),
  };
}

/** A short hash of every file's path and content: it changes when any file does. */
function versionOf(dir: string): string {
  const hash = createHash('sha256');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => statSync(join(dir, file)).isFile())
    .sort();
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(dir, file)));
  }
  return hash.digest('hex').slice(0, 12);
}
