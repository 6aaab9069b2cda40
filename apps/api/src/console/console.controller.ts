import * as fs from 'node:fs';
import * as path from 'node:path';
import { Controller, Get, HttpStatus, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiError, Public } from '@aidwatch/runtime';

/** The repository (or image) root: the nearest folder above this file with AidWatch's package.json. */
function rootDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (
      fs.existsSync(manifest) &&
      (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'aidwatch'
    )
      return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** AidWatch's icon: a buoy-blue disc with a white wave and a watching dot, 32 × 32 SVG (no outside file). */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="32" height="32">' +
  '<title>AidWatch</title>' +
  '<circle cx="16" cy="16" r="15" fill="#12324d"/>' +
  '<path d="M4 20q3-3 6 0t6 0 6 0 6 0" fill="none" stroke="#fff" stroke-width="2.2" stroke-linecap="round"/>' +
  '<circle cx="16" cy="11" r="4" fill="#2e9d58" stroke="#fff" stroke-width="1.5"/>' +
  '</svg>';

/**
 * `GET /favicon.ico`: the icon browsers ask for on every page of the origin (the console, `/docs`), as
 * SVG (`image/svg+xml`, which browsers take from any icon URL), so that request is not a 404.
 */
@ApiExcludeController()
@Public()
@Controller()
export class FaviconController {
  @Get('favicon.ico')
  favicon(@Res() res: Response): void {
    res.setHeader('content-type', 'image/svg+xml');
    res.setHeader('cache-control', 'public, max-age=86400');
    res.send(FAVICON_SVG);
  }
}

/**
 * The web console (built by `npm run build` into dist/console): static files only, no third-party
 * origin. The page itself is public; every call it makes carries the signed-in key.
 */
@ApiExcludeController()
@Public()
@Controller('console')
export class ConsoleController {
  private readonly dir = path.join(rootDir(), 'dist', 'console');

  @Get()
  index(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get(':file')
  file(@Param('file') file: string, @Res() res: Response): void {
    this.send(res, file);
  }

  private send(res: Response, file: string): void {
    const ext = path.extname(file);
    const full = path.join(this.dir, path.basename(file));
    if (!types[ext] || !fs.existsSync(full))
      throw new ApiError(
        HttpStatus.NOT_FOUND,
        fs.existsSync(this.dir) ? `${file} not found` : 'console not built: run npm run build',
      );
    res.setHeader('content-type', types[ext]);
    res.setHeader('cache-control', 'no-cache');
    res.setHeader(
      'content-security-policy',
      "default-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'",
    );
    res.sendFile(full);
  }
}
