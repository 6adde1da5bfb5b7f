// A small browser stand-in for the console's HTTP tests: keeps the console's cookies, follows nothing by
// itself (tests look at each redirect), and finds a page's CSRF field.

export interface ConsoleResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly setCookies: string[];
}

export class ConsoleClient {
  private readonly cookies = new Map<string, string>();

  constructor(readonly base: string) {}

  private remember(res: Response): string[] {
    const set = res.headers.getSetCookie();
    for (const line of set) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return set;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(
    method: string,
    path: string,
    form?: Record<string, string | string[]>,
  ): Promise<ConsoleResponse> {
    const body = form
      ? new URLSearchParams(
          Object.entries(form).flatMap(([k, v]): [string, string][] =>
            Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v]],
          ),
        ).toString()
      : undefined;
    const res = await fetch(`${this.base}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookies.size ? { cookie: this.cookieHeader() } : {}),
        ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(body !== undefined ? { body } : {}),
    });
    const setCookies = this.remember(res);
    return { status: res.status, headers: res.headers, text: await res.text(), setCookies };
  }

  get(path: string): Promise<ConsoleResponse> {
    return this.request('GET', path);
  }

  post(path: string, form: Record<string, string | string[]>): Promise<ConsoleResponse> {
    return this.request('POST', path, form);
  }

  /** Logs in through the form, as a person would: GET the form (its CSRF cookie), POST the token. */
  async login(token: string): Promise<ConsoleResponse> {
    const form = await this.get('/console/login');
    return this.post('/console/login', { _csrf: csrfOf(form.text), token });
  }
}

/** The value of the page's first `_csrf` hidden field. */
export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]*)"/.exec(html);
  if (!m) throw new Error('no _csrf field on the page');
  return m[1]!;
}
