// The console's two cookies: the login session, and before login a one-off token the login form echoes back
// (double submit), so even the login POST carries a CSRF check. Both HttpOnly, SameSite=Strict and scoped to
// /console; Secure when the request came over https.
import type { Request, Response } from 'express';

export const SESSION_COOKIE = 'cg_console';
export const LOGIN_COOKIE = 'cg_console_login';

/** One cookie's value from the Cookie header (no cookie package needed for two names). */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function attributes(req: Request, maxAgeS: number): string {
  return `Path=/console; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${req.secure ? '; Secure' : ''}`;
}

export function setCookie(req: Request, res: Response, name: string, value: string, maxAgeS: number): void {
  res.append('Set-Cookie', `${name}=${encodeURIComponent(value)}; ${attributes(req, maxAgeS)}`);
}

export function clearCookie(req: Request, res: Response, name: string): void {
  res.append('Set-Cookie', `${name}=; ${attributes(req, 0)}`);
}
