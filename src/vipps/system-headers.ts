// The recommended `Vipps-System-*` headers (vipps-protocol.md §7), sent on every call including the token call.
// Each is at most 30 characters; config validates the env values, this guards every other caller.

export interface SystemInfo {
  readonly systemName: string;
  readonly systemVersion: string;
  /** Defaults to the system values: "if plugin headers make no sense, repeat the system values" (§7). */
  readonly pluginName?: string;
  readonly pluginVersion?: string;
}

export function systemHeaders(info: SystemInfo): Record<string, string> {
  return {
    'Vipps-System-Name': checked('Vipps-System-Name', info.systemName),
    'Vipps-System-Version': checked('Vipps-System-Version', info.systemVersion),
    'Vipps-System-Plugin-Name': checked('Vipps-System-Plugin-Name', info.pluginName ?? info.systemName),
    'Vipps-System-Plugin-Version': checked(
      'Vipps-System-Plugin-Version',
      info.pluginVersion ?? info.systemVersion,
    ),
  };
}

function checked(header: string, value: string): string {
  // Visible ASCII and inner spaces only: anything else is not a valid header value.
  if (!/^[\x21-\x7e]([\x20-\x7e]{0,28}[\x21-\x7e])?$/.test(value))
    throw new RangeError(`${header} must be 1-30 visible ASCII characters, got ${JSON.stringify(value)}`);
  return value;
}
